"""The admin's image and document forms (WAGTAILIMAGES_IMAGE_FORM_BASE, WAGTAILDOCS_DOCUMENT_FORM_BASE): the alt text
an image needs, and the caption, credit and licence journalists read beside every download, in the order a press
officer fills them in."""

from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

ALT_TEXT_LABEL = "Alt text"
ALT_TEXT_HELP = (
    "What the picture shows, for people who cannot see it, in a sentence (e.g. “The minister cuts a ribbon at the "
    "new library's entrance”). Not the caption or the credit: screen readers read it in place of the image."
)
ALT_TEXT_REQUIRED = "Describe the picture for people who cannot see it: alt text is required."

# The asset's own facts first, then how journalists may use it, then the admin's filing fields.
METADATA_ORDER = ["caption", "credit", "licence", "usage_terms", "made_on", "people_shown", "is_public"]
FILING_ORDER = ["collection", "tags"]


def keep_default_licence_when_omitted(form) -> None:
    """A post without a licence (an upload from a script, an older form) keeps the model's default licence, "free
    for editorial use with credit", rather than failing: the admin's own select always sends one."""
    licence = form.fields.get("licence")
    if licence is not None:
        licence.required = False


class PressCentreImageForm(BaseImageForm):
    """Wagtail's image form with the alt text (Wagtail's `description`) required and the asset metadata in order.

    Wagtail also builds forms of some fields only (the bulk upload's, partial updates): the rules apply to the
    fields a form has.
    """

    field_order = ["title", "file", "description", *METADATA_ORDER, *FILING_ORDER]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_default_licence_when_omitted(self)
        alt_text = self.fields.get("description")
        if alt_text is not None:
            alt_text.label = ALT_TEXT_LABEL
            alt_text.help_text = ALT_TEXT_HELP
            alt_text.required = True
            alt_text.error_messages["required"] = ALT_TEXT_REQUIRED


class PressCentreDocumentForm(BaseDocumentForm):
    """Wagtail's document form with the asset metadata in the same order as images'."""

    field_order = ["title", "file", *METADATA_ORDER, *FILING_ORDER]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_default_licence_when_omitted(self)
