from django.apps import AppConfig


class MediaKitConfig(AppConfig):
    """Pictures and files journalists can use: items' galleries with their sizes and "Download all" ZIP, the media kit
    page, and the views that hand image files out under the embargo rule."""

    name = "presscentre.mediakit"
    label = "mediakit"
    verbose_name = "Media kit"
    default_auto_field = "django.db.models.BigAutoField"
