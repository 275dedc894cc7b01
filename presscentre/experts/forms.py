from django import forms

from presscentre.core.text import has_xml_invalid_characters


class InterviewRequestForm(forms.Form):
    """What a journalist tells the press office to arrange an interview. Every message names the field and says
    what to do; the page lists them in one summary at the top, each linked to its field."""

    name = forms.CharField(label="Your name", max_length=150, error_messages={"required": "Enter your name."})
    outlet = forms.CharField(
        label="Publication or programme",
        max_length=200,
        error_messages={"required": "Enter the publication or programme you work for (or 'Freelance')."},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address, so the press office can reply.",
            "invalid": "Enter your email address in the form name@example.com.",
        },
    )
    phone = forms.CharField(label="Phone (optional)", max_length=50, required=False)
    deadline = forms.CharField(
        label="Your deadline (optional)", max_length=200, required=False, help_text="e.g. 'Thursday 4 pm'."
    )
    message = forms.CharField(
        label="What would you like to talk about?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Say briefly what the interview is about."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.error_messages["max_length"] = (
                f"{field.label.replace(' (optional)', '')} is too long: shorten it to %(limit_value)d characters."
            )
            field.widget.attrs.setdefault("id", f"id_{name}")

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str) and has_xml_invalid_characters(value):
                self.add_error(name, "Remove the invisible control character (often brought in by a paste).")
        return data

    def describe_fields(self) -> None:
        """Tie each field to its hint and error (aria-describedby) and mark those in error (aria-invalid)."""
        for name, field in self.fields.items():
            described_by = []
            if field.help_text:
                described_by.append(f"id_{name}-hint")
            if self.is_bound and self[name].errors:
                described_by.append(f"id_{name}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if described_by:
                field.widget.attrs["aria-describedby"] = " ".join(described_by)

    def error_summary(self) -> list[tuple[str, str]]:
        """(field id, message) for each field in error, in the form's order."""
        return [(f"id_{name}", self[name].errors[0]) for name in self.fields if self[name].errors]
