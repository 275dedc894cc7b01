import contextlib
import logging
import posixpath
import secrets

from django.db import models
from pypdf import PdfReader
from wagtail.documents.models import AbstractDocument, Document
from wagtail.images.models import AbstractImage, AbstractRendition, Image

logger = logging.getLogger(__name__)

# Enough for a long report; search indexes (PostgreSQL's tsvector in particular) have size limits.
MAX_DOCUMENT_TEXT = 400_000


class Licence(models.TextChoices):
    """The terms a journalist may use a picture or file under, shown beside every download and written into it."""

    EDITORIAL = "editorial", "Free for editorial use with credit"
    CC_BY_4 = "cc-by-4.0", "CC BY 4.0"
    CC0 = "cc0-1.0", "CC0 1.0 (no rights reserved)"
    RIGHTS_RESERVED = "rights-reserved", "All rights reserved — ask the press office"


class AssetMetadata(models.Model):
    """What a journalist needs to use a picture, recording or document: its caption, credit and licence."""

    caption = models.TextField("caption", max_length=1000, blank=True)
    credit = models.CharField(
        "credit",
        max_length=200,
        blank=True,
        help_text="Who to credit, as it should be printed (e.g. “Photo: Ana Ruiz”).",
    )
    licence = models.CharField("licence", max_length=32, choices=Licence.choices, default=Licence.EDITORIAL)
    usage_terms = models.TextField(
        "usage terms", blank=True, help_text="Anything beyond the licence: embargo on reuse, no cropping, and so on."
    )
    made_on = models.DateField("date", null=True, blank=True, help_text="When the photo was taken or the file made.")
    people_shown = models.CharField(
        "people shown", max_length=500, blank=True, help_text="Names of the people shown, left to right."
    )

    asset_metadata_fields = ("caption", "credit", "licence", "usage_terms", "made_on", "people_shown")

    class Meta:
        abstract = True


class PressCentreImage(AbstractImage, AssetMetadata):
    """Wagtail's image, stored under an unguessable name, with its credit and licence.

    Who may see it is the embargo rule's answer: an image only an embargoed item uses stays secret, with its
    renditions and downloads, until the lift.
    """

    is_public = models.BooleanField(
        "public on its own",
        default=False,
        help_text="Anyone may see it, even if no published item uses it. Leave unticked for a picture that "
        "belongs to an item: it becomes public when the item does.",
    )

    admin_form_fields = (*Image.admin_form_fields, *AssetMetadata.asset_metadata_fields, "is_public")

    class Meta(AbstractImage.Meta):
        # /media/original_images/<name> is served by a view that finds the image by its file's name.
        indexes = [models.Index(fields=["file"], name="image_file_name")]

    def __str__(self) -> str:
        return self.title

    def get_upload_to(self, filename: str) -> str:
        return super().get_upload_to(f"{secrets.token_urlsafe(12)}-{filename}")


class PressCentreRendition(AbstractRendition):
    image = models.ForeignKey(PressCentreImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
        # /media/images/<name> is served by a view that finds the rendition by its file's name.
        indexes = [models.Index(fields=["file"], name="rendition_file_name")]


def document_upload_to(instance, filename: str) -> str:
    """documents/<random>/<uploaded name>: the name readers download stays the one uploaded, and the directory
    makes the file's storage address unguessable (a bucket that serves files directly must not let anyone find
    a report before its lift by trying names)."""
    return posixpath.join("documents", secrets.token_urlsafe(16), filename)


class PressCentreDocument(AbstractDocument, AssetMetadata):
    """Wagtail's document, with the text of a PDF kept beside it so that search can find words inside reports.

    The text is extracted when the file is uploaded or replaced. A PDF that cannot be read still uploads: its
    text stays empty and a warning is logged, because an editor must never be stopped by a damaged file.

    Who may download it is the embargo rule's answer (`embargo.services.can_download`): a document is public
    when a public item uses it, or when staff mark it public on its own (`is_public`).
    """

    # As Wagtail's, with room for the random directory in front of a long uploaded name.
    file = models.FileField("file", upload_to=document_upload_to, max_length=255)
    text = models.TextField(blank=True, editable=False, help_text="The document's text, extracted on upload.")
    is_public = models.BooleanField(
        "public on its own",
        default=False,
        help_text="Anyone may download it, even if no published item uses it (e.g. a logo or a media kit). "
        "Leave unticked for a file that belongs to an item: it becomes public when the item does.",
    )

    admin_form_fields = (*Document.admin_form_fields, *AssetMetadata.asset_metadata_fields, "is_public")

    class Meta(AbstractDocument.Meta):
        permissions = [("choose_document", "Can choose document")]

    def __str__(self) -> str:
        return self.title

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The stored file's name, read without touching the field (which may be deferred).
        self._text_file_name = _file_name(self.__dict__.get("file")) if self.pk else None

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        file_name = _file_name(self.__dict__.get("file"))
        if file_name != self._text_file_name and (update_fields is None or "file" in update_fields):
            self.text = extract_pdf_text(self.file) if file_name.lower().endswith(".pdf") else ""
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "text"}
        super().save(*args, **kwargs)
        self._text_file_name = _file_name(self.__dict__.get("file"))


def _file_name(value) -> str:
    return (getattr(value, "name", value) or "") if value is not None else ""


def extract_pdf_text(file) -> str:
    """The text of every page of a PDF, or '' (with a warning logged) when the file cannot be read."""
    try:
        file.open("rb")
        file.seek(0)
        reader = PdfReader(file)
        pages = []
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            if sum(len(text) for text in pages) > MAX_DOCUMENT_TEXT:
                break
        text = "\n".join(pages)
    except Exception:  # pypdf raises many kinds of error for damaged files; none may stop an upload
        logger.warning("Could not read the text of %s; it will not be searchable.", file.name, exc_info=True)
        return ""
    finally:
        with contextlib.suppress(Exception):
            file.seek(0)
    # PostgreSQL rejects NUL characters in text, and some PDFs' text layers contain them.
    return text.replace("\x00", " ")[:MAX_DOCUMENT_TEXT]


class ImageOrFile(models.Model):
    """An entry that shows one picture or one file (a gallery's, the media kit's): exactly one of the two."""

    image = models.ForeignKey(
        "core.PressCentreImage", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(
        "core.PressCentreDocument",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="file",
        help_text="A video, audio recording or document, when this entry is not an image.",
    )

    class Meta:
        abstract = True

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if bool(self.image_id) == bool(self.document_id):
            raise ValidationError("Choose an image or a file for each entry (one of them, not both).")

    @property
    def asset(self):
        return self.image if self.image_id else self.document


def private_upload_to(instance, filename: str) -> str:
    """<kind>/<random>/<name> in the private storage: nothing there is served without the embargo rule's leave."""
    return posixpath.join(instance.private_directory, secrets.token_urlsafe(16), filename)


def private_storage():
    """The storage for files only views that apply the embargo rule hand out (settings.STORAGES["private"])."""
    from django.core.files.storage import storages

    return storages["private"]


class ImageDownload(models.Model):
    """One of an image's download sizes, made once by the worker (`presscentre.core.image_downloads`).

    Web and print are JPEGs (or PNGs for pictures with transparency) no larger than their limit on the long side,
    with the credit and licence written into them; the original is the uploaded file as it came.
    """

    class Size(models.TextChoices):
        WEB = "web", "Web"
        PRINT = "print", "Print"
        ORIGINAL = "original", "Original"

    private_directory = "downloads"

    image = models.ForeignKey(PressCentreImage, on_delete=models.CASCADE, related_name="downloads")
    size = models.CharField(max_length=16, choices=Size.choices)
    file = models.FileField(upload_to=private_upload_to, storage=private_storage, max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file_size = models.PositiveBigIntegerField()
    # The image's file_hash and metadata when this was made: a replaced file or new credit makes it again.
    source_fingerprint = models.CharField(max_length=64)
    made_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["image", "size"], name="one_download_per_size")]

    def __str__(self) -> str:
        return f"{self.image} ({self.size}, {self.width}×{self.height})"


class WorkerHeartbeat(models.Model):
    """A task worker's last sign of life (`presscentre.core.worker`): a running task whose worker has not been seen
    for the lease is given to another worker."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    last_seen = models.DateTimeField(db_index=True)
    started_at = models.DateTimeField()
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.host or '?'} (pid {self.pid}), seen {self.last_seen:%H:%M:%S}"
