from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "presscentre.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from presscentre.core import site_memo
        from presscentre.core.models import ImageDownload, PressCentreImage
        from presscentre.core.signal_handlers import delete_download_file, queue_downloads_on_image_save

        site_memo.connect()
        post_save.connect(
            queue_downloads_on_image_save, sender=PressCentreImage, dispatch_uid="presscentre.core.image_downloads"
        )
        post_delete.connect(delete_download_file, sender=ImageDownload, dispatch_uid="presscentre.core.download_file")
