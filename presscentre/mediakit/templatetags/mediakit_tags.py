"""The gallery of pictures and files on an item's page (`{% item_gallery page %}`).

A gallery reads in a fixed number of queries whatever its size: its entries with their images and documents, the
images' download sizes, their renditions (`presscentre.mediakit.gallery`), and the item's ZIP.
"""

from django import template
from django.urls import reverse

from presscentre.mediakit.gallery import entries_of, with_gallery_relations
from presscentre.mediakit.models import ItemArchive
from presscentre.newsroom.models.items import ItemAsset

register = template.Library()


def _gallery_rows(page, *, preview: bool):
    if preview or not page.pk:
        # A preview shows the editor's unsaved gallery, held in memory by the page's form.
        return list(page.media_assets.all())
    return list(with_gallery_relations(ItemAsset.objects.filter(item_id=page.pk).order_by("sort_order", "pk")))


def _archive_of(page) -> ItemArchive | None:
    return ItemArchive.objects.filter(item_id=page.pk).exclude(file="").only("item_id", "file_size").first()


@register.inclusion_tag("mediakit/gallery.html", takes_context=True)
def item_gallery(context, page):
    """The item's pictures and files, each with its credit, licence and downloads, and "Download all" as a ZIP."""
    request = context.get("request")
    preview = bool(getattr(request, "is_preview", False))
    entries = entries_of(_gallery_rows(page, preview=preview))
    archive = _archive_of(page) if entries and not preview else None
    return {
        "request": request,
        "page": page,
        "entries": entries,
        "has_images": any(entry.is_image for entry in entries),
        "zip_url": reverse("mediakit:item_zip", args=[page.pk]) if entries and page.pk else "",
        "zip_size": archive.file_size if archive is not None else 0,
    }
