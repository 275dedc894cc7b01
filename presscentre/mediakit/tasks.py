"""The media kit's tasks for the worker."""

from django_tasks import task


@task()
def build_archive_task(item_id: int) -> bool:
    """Build an item's "Download all" ZIP, unless it is current (see archives.build_archive)."""
    from presscentre.mediakit.archives import build_archive

    return build_archive(item_id)
