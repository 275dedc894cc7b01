from django import forms
from django.utils import timezone

from presscentre.distribution.contacts_csv import MAX_BYTES
from presscentre.distribution.models import MediaList


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
