"""Core's signal handlers: an image saved has its download sizes made (again) by the worker."""

from django.db import transaction

# Saves that only record what Wagtail measured about the file, or where to crop it: the downloads stay as they are.
BOOKKEEPING_FIELDS = frozenset(
    {"file_size", "file_hash", "focal_point_x", "focal_point_y", "focal_point_width", "focal_point_height"}
)


def queue_downloads_on_image_save(sender, instance, raw=False, update_fields=None, **kwargs):
    """A new image, a replaced file or changed metadata: queue its download sizes once the save commits."""
    if raw or (update_fields is not None and set(update_fields) <= BOOKKEEPING_FIELDS):
        return
    from presscentre.core.image_downloads import queue_image_downloads

    queue_image_downloads(instance)


def delete_download_file(sender, instance, **kwargs):
    """A download row deleted (with its image): its file goes too, once the deletion commits."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), robust=True)
