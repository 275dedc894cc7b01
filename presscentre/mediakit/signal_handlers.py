"""When an item's ZIP must be built again: its publication (an embargoed item's too, so the ZIP is ready at the
lift), a change to its gallery, and a new file or metadata of an image or document in it. Each queues the build
once the change commits; the build itself does nothing when the ZIP is current."""

from django.db import transaction

# Saves that only record what Wagtail measured about a file (or where to crop an image): the ZIP stays as it is.
BOOKKEEPING_FIELDS = frozenset(
    {"file_size", "file_hash", "focal_point_x", "focal_point_y", "focal_point_width", "focal_point_height"}
)


def _bookkeeping(raw: bool, update_fields) -> bool:
    return raw or (update_fields is not None and set(update_fields) <= BOOKKEEPING_FIELDS)


def queue_archive_on_publish(sender, instance, **kwargs):
    """An item published (or re-published with another gallery): build its ZIP if it has a gallery or had one."""
    from presscentre.mediakit.archives import queue_archive
    from presscentre.mediakit.models import ItemArchive
    from presscentre.newsroom.models import NewsItemPage
    from presscentre.newsroom.models.items import ItemAsset

    if not isinstance(instance, NewsItemPage):
        return
    if (
        ItemAsset.objects.filter(item_id=instance.pk).exists()
        or ItemArchive.objects.filter(item_id=instance.pk).exists()
    ):
        queue_archive(instance.pk)


def queue_archives_using_asset(sender, instance, raw=False, update_fields=None, **kwargs):
    """An image or document saved with a new file or metadata: rebuild the ZIPs of the published items using it."""
    if _bookkeeping(raw, update_fields) or not instance.pk:
        return
    from presscentre.mediakit.archives import queue_archive
    from presscentre.newsroom.models.items import ItemAsset

    field = "image" if sender._meta.model_name.endswith("image") else "document"
    for item_id in (
        ItemAsset.objects.filter(**{field: instance.pk, "item__live": True})
        .values_list("item_id", flat=True)
        .distinct()
    ):
        queue_archive(item_id)


def queue_archive_on_gallery_entry_delete(sender, instance, **kwargs):
    """A gallery entry removed (its image deleted, say): the item's ZIP is rebuilt without it."""
    from presscentre.mediakit.archives import queue_archive

    queue_archive(instance.item_id)


def delete_archive_file(sender, instance, **kwargs):
    """An archive row deleted (with its item): its file goes too, once the deletion commits."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), robust=True)
