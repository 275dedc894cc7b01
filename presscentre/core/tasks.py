"""The core app's tasks for the worker."""

from django_tasks import task


@task()
def make_image_downloads_task(image_id: int) -> bool:
    """Make an image's web, print and original downloads, unless they are current (see image_downloads)."""
    from presscentre.core.image_downloads import make_image_downloads

    return make_image_downloads(image_id)
