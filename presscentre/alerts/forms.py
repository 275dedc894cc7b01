"""The sign-up and manage forms: an address, what to follow, how often."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from presscentre.alerts.models import ITEM_TYPES, Subscription
from presscentre.alerts.subscribing import SOURCE_FOOTER, SOURCE_PAGE, Choices

EMAIL_MAX_LENGTH = 254
EMAIL_MESSAGE = "Enter your email address in the form name@example.com."
NOTHING_CHOSEN_MESSAGE = "Choose what to follow: tick \u201cEverything\u201d, or at least one type, topic or person."


class ChoicesForm(forms.Form):
    """What to follow and how often; the categories and people offered are given by the view."""

    everything = forms.BooleanField(label="Everything, as soon as it is published", required=False)
    types = forms.MultipleChoiceField(
        label="Types of item",
        choices=ITEM_TYPES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose types from the list.", "invalid_list": "Choose types from the list."},
    )
    categories = forms.ModelMultipleChoiceField(
        label="Topics", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    people = forms.ModelMultipleChoiceField(
        label="People", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.IMMEDIATE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how often you want to hear from us.",
            "invalid_choice": "Choose how often you want to hear from us.",
        },
    )

    def __init__(self, *args, categories, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = categories
        self.fields["people"].queryset = people
        # Never the value that was sent: it may be anything, of any length.
        for name, what in (("categories", "topic"), ("people", "person")):
            for code in ("invalid_choice", "invalid_pk_value", "invalid_list"):
                self.fields[name].error_messages[code] = f"That {what} is no longer offered: choose from the list."

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not (data.get("everything") or data.get("types") or data.get("categories") or data.get("people")):
            self.add_error("everything", NOTHING_CHOSEN_MESSAGE)
        return data

    def choices(self) -> Choices:
        data = self.cleaned_data
        return Choices(
            everything=bool(data["everything"]),
            types=tuple(model for model, _label in ITEM_TYPES if model in data["types"]),
            categories=tuple(category.pk for category in data["categories"]),
            people=tuple(person.pk for person in data["people"]),
            frequency=data["frequency"],
        )

    def error_summary(self) -> list[tuple[str, str]]:
        """(the id to link to, the message) for each error, in the order of the form, for the summary at the top."""
        summary = []
        for name, field in self.fields.items():
            for message in self.errors.get(name, ()):
                widget_id = self[name].id_for_label or f"id_{name}"
                if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                    widget_id = f"{self[name].auto_id}_0"
                summary.append((widget_id, message))
        return summary


class SubscribeForm(ChoicesForm):
    """The /subscribe/ page (and the footer's post, which carries the address and "everything")."""

    email = forms.CharField(
        label="Email address",
        strip=True,
        error_messages={"required": "Enter your email address."},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false", "maxlength": EMAIL_MAX_LENGTH}),
    )
    source = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = ["email", "everything", "types", "categories", "people", "frequency", "source"]

    def full_clean(self):
        super().full_clean()
        if "email" in self._errors:
            self.fields["email"].widget.attrs["aria-invalid"] = "true"
            self.fields["email"].widget.attrs["aria-describedby"] = "email-error"

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError(f"An email address has at most {EMAIL_MAX_LENGTH} characters.")
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(EMAIL_MESSAGE) from None
        return email

    def consent_source(self) -> str:
        return SOURCE_FOOTER if self.cleaned_data.get("source") == SOURCE_FOOTER else SOURCE_PAGE


class ManageForm(ChoicesForm):
    """The manage page: the same choices, for an address already proved by its link."""
