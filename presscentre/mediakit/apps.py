from django.apps import AppConfig


class MediaKitConfig(AppConfig):
    """Pictures and files journalists can use: items' galleries with their sizes and "Download all" ZIP, the media kit
    page, and the views that hand image files out under the embargo rule."""

    name = "presscentre.mediakit"
    label = "mediakit"
    verbose_name = "Media kit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
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
