"""The media kit page (/media-kit/): the press office's collections of logos, headshots and photos of premises and
events, in the order it chose, each picture or file shown as in an item's gallery.

The page is the same for everyone, so the page cache keeps it under the `media-kit` tag (`cache_tags.MEDIA_KIT`),
which saving or deleting a collection purges. A file (not an image) appears only once it is public on its own: its
download would otherwise be refused.
"""

from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from presscentre.mediakit.cache_tags import MEDIA_KIT
from presscentre.mediakit.gallery import entries_of, with_gallery_relations
from presscentre.mediakit.models import MediaKitCollection, MediaKitEntry
from presscentre.pagecache import tags as cache_tags


def collections_with_entries() -> list[tuple[MediaKitCollection, list]]:
    """Each collection with its gallery entries, in five queries whatever the number of collections and files."""
    entries = with_gallery_relations(MediaKitEntry.objects.order_by("sort_order", "pk"))
    collections = MediaKitCollection.objects.prefetch_related(Prefetch("entries", queryset=entries))
    shown = []
    for collection in collections:
        rows = [row for row in collection.entries.all() if row.image_id or (row.document and row.document.is_public)]
        shown.append((collection, entries_of(rows)))
    return shown


@require_http_methods(["GET", "HEAD"])
def media_kit(request):
    cache_tags.add(request, MEDIA_KIT)
    collections = [(collection, entries) for collection, entries in collections_with_entries() if entries]
    context = {
        "collections": collections,
        "has_images": any(entry.is_image for _, entries in collections for entry in entries),
        "section": "media_kit",
    }
    return render(request, "mediakit/media_kit.html", context)
