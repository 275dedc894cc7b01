from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from presscentre.core.models import ImageOrFile, private_storage, private_upload_to


class ItemArchive(models.Model):
    """An item's "Download all" ZIP: its gallery's files and a CREDITS.txt, built once by the worker and kept in the
    private storage until the gallery changes (`fingerprint`), so a rush of readers never rebuilds it."""

    private_directory = "archives"

    item = models.OneToOneField(
        "newsroom.NewsItemPage", on_delete=models.CASCADE, primary_key=True, related_name="media_archive"
    )
    file = models.FileField(upload_to=private_upload_to, storage=private_storage, max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    # What the ZIP holds (files, their metadata, order): a gallery whose fingerprint differs needs a new ZIP.
    fingerprint = models.CharField(max_length=64, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"ZIP of {self.item_id}"


class MediaKitCollection(ClusterableModel):
    """A group on the media kit page (/media-kit/): logos and brand files, headshots, premises, events."""

    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text="A line or two shown under the heading.")
    sort_order = models.PositiveIntegerField(default=0, help_text="Lower numbers come first on the page.")

    panels = [FieldPanel("title"), FieldPanel("intro"), FieldPanel("sort_order"), InlinePanel("entries", label="File")]

    class Meta:
        ordering = ["sort_order", "title"]
        verbose_name = "media kit collection"

    def __str__(self) -> str:
        return self.title


class MediaKitEntry(ImageOrFile, Orderable):
    collection = ParentalKey(MediaKitCollection, on_delete=models.CASCADE, related_name="entries")

    panels = [FieldPanel("image"), FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = "media kit file"
