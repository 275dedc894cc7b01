from django import forms
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm

from presscentre.distribution.contacts_csv import MAX_BYTES
from presscentre.distribution.models import MediaList
from presscentre.distribution.services import release_state, releases_newest_first


class ContactsUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8 CSV with a header row; see the sample file.")
    add_to = forms.ModelChoiceField(
        MediaList.objects.all(), required=False, label="Also add everyone to", empty_label="(no extra list)"
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        return upload


class ContactsConfirmForm(forms.Form):
    """The previewed file travels back in the form, so nothing is stored between preview and import; it is
    checked again in full on import, so editing it in between gains nothing."""

    csv_text = forms.CharField(widget=forms.HiddenInput, strip=False)
    add_to = forms.ModelChoiceField(MediaList.objects.all(), required=False, widget=forms.HiddenInput)


class SendForm(forms.Form):
    send_at = forms.DateTimeField(
        required=False,
        label="Send at",
        help_text="Leave empty to send now. In the site's time zone.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean_send_at(self):
        send_at = self.cleaned_data["send_at"]
        if send_at is not None and send_at <= timezone.now():
            raise forms.ValidationError("Choose a time in the future, or leave it empty to send now.")
        return send_at


class ReleaseChoiceField(forms.ModelChoiceField):
    """The release picker: every press release, newest first, each labelled with what it is at `at`."""

    def __init__(self, *, at, **kwargs):
        self.at = at
        kwargs.setdefault("label", "Release")
        kwargs.setdefault("help_text", "Newest first. Only a published release can be sent.")
        super().__init__(queryset=releases_newest_first(), **kwargs)

    def label_from_instance(self, release) -> str:
        return f"{release.title} \u2014 {release_state(release, at=self.at)}"


class DistributionForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # In place of Wagtail's page chooser: a list that says which releases are drafts, scheduled or embargoed.
        self.fields["release"] = ReleaseChoiceField(at=timezone.now())

    def clean_release(self):
        release = self.cleaned_data["release"]
        if release is not None and not release.live:
            raise forms.ValidationError("Choose a published release: journalists' links only open published pages.")
        return release
