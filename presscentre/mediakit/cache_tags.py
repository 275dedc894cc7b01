"""What the media kit and the galleries tell the page cache: the media kit page's tag, and which pages a newly made
download size or ZIP changes (the galleries show their pixels and sizes, or "being prepared" until they exist)."""

from presscentre.pagecache import tags

MEDIA_KIT = "media-kit"


def collection_tags(collection) -> set[str]:
    return {MEDIA_KIT}


def download_tags(download) -> set[str]:
    """A size made or remade: the galleries of the items using its image, and the media kit if it shows it."""
    from presscentre.core.models import PressCentreImage
    from presscentre.mediakit.models import MediaKitEntry
    from presscentre.pagecache import services

    users = services.media_users(PressCentreImage(pk=download.image_id))
    result = {tags.item(pk) for pk in users.item_ids}
    if MediaKitEntry.objects.filter(image_id=download.image_id).exists():
        result.add(MEDIA_KIT)
    return result


def archive_tags(archive) -> set[str]:
    """A ZIP built: its item's gallery names its size."""
    return {tags.item(archive.item_id)}


def register() -> None:
    from presscentre.pagecache import registry

    registry.register_model("mediakit.MediaKitCollection", collection_tags)
    registry.register_model("core.ImageDownload", download_tags)
    registry.register_model("mediakit.ItemArchive", archive_tags)
