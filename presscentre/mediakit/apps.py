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
