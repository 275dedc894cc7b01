"""The public "Leave a Reply" form, with its challenge and honeypot."""

from datetime import datetime

from django import forms
from django.core.validators import URLValidator

from presscentre.comments.challenge import ChallengeError, check_challenge, issue_challenge
from presscentre.comments.models import Comment, CommentSettings
from presscentre.core.text import has_xml_invalid_characters, xml_safe

# Fields a reader typed: kept whenever the form comes back (errors, an expired challenge, a reload).
TYPED_FIELDS = ("name", "email", "url", "body", "parent")
MAX_BODY_LENGTH = 65_525  # WordPress's limit


class TypedTextField(forms.CharField):
    """A text field that takes out the characters XML 1.0 cannot carry (feeds could not show the comment) and
    keeps the rest as typed; refused, saying why, when nothing else was typed. They go before Django's own
    checks, so a stray NUL is removed like any other control character rather than refusing the whole post."""

    def __init__(self, *args, what: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.what = what

    def to_python(self, value):
        if isinstance(value, str) and has_xml_invalid_characters(value):
            value = xml_safe(value)
            if not value.strip():
                raise forms.ValidationError(
                    f"{self.what} has nothing left once invisible control characters are removed: "
                    "please type it again.",
                    code="only_control_characters",
                )
        return super().to_python(value)


class CommentForm(forms.Form):
    name = TypedTextField(
        label="Name", max_length=100, what="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    url = forms.URLField(
        label="Website",
        required=False,
        max_length=300,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    body = TypedTextField(
        label="Comment",
        max_length=MAX_BODY_LENGTH,
        what="Your comment",
        widget=forms.Textarea(attrs={"rows": 8, "cols": 45}),
    )
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # Honeypot: hidden from people (and from screen readers and the keyboard), filled in by naive robots.
    contact_reference = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    ticket = forms.CharField(required=False, widget=forms.HiddenInput)
    answer = forms.CharField(
        label="Answer",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 8}),
    )

    def __init__(self, *args, item, at: datetime, comment_settings: CommentSettings, **kwargs):
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, **kwargs)
        self.item = item
        self.at = at
        self.comment_settings = comment_settings
        self.challenge_error: ChallengeError | None = None
        self.parent_comment: Comment | None = None
        self.challenge = issue_challenge(item.pk, at=at)
        self.fields["answer"].label = self.challenge.question
        if not self.is_bound:
            self.initial["ticket"] = self.challenge.ticket

    @classmethod
    def refilled(cls, data, **kwargs) -> "CommentForm":
        """An unbound form showing what the reader typed, with a fresh challenge and no errors (the reload)."""
        initial = {name: data.get(name, "") for name in TYPED_FIELDS}
        return cls(initial=initial, **kwargs)

    def clean_parent(self):
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        parent = Comment.objects.approved().filter(pk=parent_id, item_id=self.item.pk).select_related("parent").first()
        if parent is None or parent.depth >= self.comment_settings.thread_depth:
            raise forms.ValidationError("That comment cannot take replies.", code="invalid_parent")
        self.parent_comment = parent
        return parent

    def clean(self):
        cleaned = super().clean()
        if self.data.get("contact_reference", "").strip():
            raise forms.ValidationError("Your comment could not be accepted.", code="honeypot")
        try:
            check_challenge(
                ticket=self.data.get("ticket", ""),
                answer=self.data.get("answer", ""),
                # The ALTCHA widget's own hidden input, present when JavaScript ran.
                altcha_payload=self.data.get("altcha", ""),
                item_id=self.item.pk,
                at=self.at,
                expired_message=self.comment_settings.expired_message,
            )
        except ChallengeError as error:
            self.challenge_error = error
            self.add_error("answer", forms.ValidationError(error.message, code=error.code))
        return cleaned

    @property
    def challenge_expired(self) -> bool:
        return self.challenge_error is not None and self.challenge_error.code == "expired"

    def with_fresh_challenge(self) -> "CommentForm":
        """After a failed post: keep what was typed and the errors, but carry the new challenge."""
        data = self.data.copy()
        data["ticket"] = self.challenge.ticket
        data["answer"] = ""
        data["altcha"] = ""
        data["contact_reference"] = ""
        self.data = data
        return self

    def comment_data(self) -> dict:
        return {
            "name": self.cleaned_data["name"],
            "email": self.cleaned_data["email"],
            "url": self.cleaned_data.get("url") or "",
            "body": self.cleaned_data["body"],
            "parent": self.cleaned_data.get("parent"),
        }
