"""An item's gallery and the media kit's entries as pages show them: each picture or file with what a journalist
needs to use it, read in a fixed number of queries whatever their number.

The rows are only read here: the worker makes the download sizes and the ZIP (`presscentre.core.image_downloads`,
`presscentre.mediakit.archives`) and `presscentre.mediakit.views` serves them under the embargo rule.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from presscentre.core import image_downloads
from presscentre.core.models import ImageDownload, Licence, PressCentreImage

# The thumbnail at 1x and 2x, and the picture the lightbox (or, without JavaScript, the browser) opens.
THUMBNAIL_FILTERS = ("max-360x270", "max-720x540")
LARGE_FILTER = "max-1600x1600"
RENDITION_FILTERS = (*THUMBNAIL_FILTERS, LARGE_FILTER)


@dataclass
class DownloadSize:
    """One of an image's download sizes as the gallery lists it: made (with its link and facts) or being prepared."""

    size: str
    label: str
    url: str = ""
    width: int = 0
    height: int = 0
    file_size: int = 0

    @property
    def ready(self) -> bool:
        return bool(self.url)

    @property
    def description(self) -> str:
        """'Print, 4,000 × 2,667 px, 3.1 MB', or 'Print, being prepared'."""
        if not self.ready:
            return f"{self.label}, being prepared"
        return f"{self.label}, {self.width:,} × {self.height:,} px, {filesizeformat(self.file_size)}"


@dataclass
class GalleryEntry:
    """A picture or file with what a journalist needs to use it."""

    asset: object
    is_image: bool
    downloads: list[DownloadSize] = field(default_factory=list)

    @property
    def licence_label(self) -> str:
        return image_downloads.licence_label(self.asset.licence) if self.asset.licence in Licence.values else ""

    @property
    def licence_url(self) -> str:
        return image_downloads.licence_url(self.asset.licence)

    @property
    def file_size(self) -> int:
        if self.is_image:
            return 0
        # Wagtail notes the size on upload; a file saved otherwise is measured (and noted) once.
        return self.asset.get_file_size() or 0

    @property
    def file_type(self) -> str:
        return self.asset.file_extension.upper()


def download_sizes(image: PressCentreImage) -> list[DownloadSize]:
    """The image's web, print and original sizes in that order, from its (prefetched) `downloads`."""
    made = {download.size: download for download in image.downloads.all()}
    sizes = []
    for size, label in ImageDownload.Size.choices:
        download = made.get(size)
        if download is None:
            sizes.append(DownloadSize(size=size, label=label))
        else:
            sizes.append(
                DownloadSize(
                    size=size,
                    label=label,
                    url=reverse("mediakit:image_download", args=[image.pk, size]),
                    width=download.width,
                    height=download.height,
                    file_size=download.file_size,
                )
            )
    return sizes


def with_gallery_relations(queryset, prefix: str = ""):
    """`queryset` of rows with an `image` and a `document` (gallery or media kit entries), reading the assets, the
    images' download sizes and their gallery renditions in three queries more, however many rows."""
    renditions = PressCentreImage.get_rendition_model().objects.filter(filter_spec__in=RENDITION_FILTERS)
    return queryset.select_related(f"{prefix}image", f"{prefix}document").prefetch_related(
        Prefetch(f"{prefix}image__downloads", queryset=ImageDownload.objects.order_by()),
        Prefetch(f"{prefix}image__renditions", queryset=renditions, to_attr="prefetched_renditions"),
    )


def entries_of(rows) -> list[GalleryEntry]:
    """Gallery entries for rows with an `image` or a `document` (an incomplete row is left out)."""
    entries = []
    for row in rows:
        if row.image_id and row.image is not None:
            entries.append(GalleryEntry(asset=row.image, is_image=True, downloads=download_sizes(row.image)))
        elif row.document_id and row.document is not None:
            entries.append(GalleryEntry(asset=row.document, is_image=False))
    return entries
