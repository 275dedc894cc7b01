from django.apps import AppConfig


class MediaKitConfig(AppConfig):
    """Pictures and files journalists can use: items' galleries with their sizes and "Download all" ZIP, the media kit
    page, and the views that hand image files out under the embargo rule."""

    name = "presscentre.mediakit"
    label = "mediakit"
    verbose_name = "Media kit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published

        from presscentre.core.models import PressCentreDocument, PressCentreImage
        from presscentre.mediakit import cache_tags, signal_handlers
        from presscentre.mediakit.models import ItemArchive
        from presscentre.newsroom.models.items import ItemAsset

        # An item's ZIP is built by the worker on publication (before an embargo lifts) and whenever what it
        # holds changes.
        page_published.connect(signal_handlers.queue_archive_on_publish, dispatch_uid="presscentre.mediakit.publish")
        for model in (PressCentreImage, PressCentreDocument):
            post_save.connect(
                signal_handlers.queue_archives_using_asset,
                sender=model,
                dispatch_uid=f"presscentre.mediakit.asset_saved.{model._meta.model_name}",
            )
        post_delete.connect(
            signal_handlers.queue_archive_on_gallery_entry_delete,
            sender=ItemAsset,
            dispatch_uid="presscentre.mediakit.gallery_entry_deleted",
        )
        post_delete.connect(
            signal_handlers.delete_archive_file, sender=ItemArchive, dispatch_uid="presscentre.mediakit.archive_file"
        )
        # The media kit page's tag, and the galleries' pages to purge when a download size or ZIP is made.
        cache_tags.register()
        register_serving()


def register_serving() -> None:
    """Tell the apps below what this app serves: the media kit shows its images to everyone; a journalist's copy
    sends image files, download sizes and ZIPs through the link (routes in link_urls.py); and publishing,
    unpublishing or lifting an item purges the files of the images it shows from the edge."""
    from presscentre.embargo.services import register_link_prefix, register_public_image_owner
    from presscentre.mediakit.serving import image_tags_of_item
    from presscentre.pagecache import registry

    register_public_image_owner("mediakit.MediaKitEntry", "image")
    for prefix in ("/media/images/", "/media/original_images/", "/downloads/images/", "/downloads/items/"):
        register_link_prefix(prefix)
    registry.register_item_tags(image_tags_of_item)
