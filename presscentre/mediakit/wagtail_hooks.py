from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from presscentre.mediakit.models import MediaKitCollection


class MediaKitCollectionViewSet(SnippetViewSet):
    """The media kit page's collections (/media-kit/), each with its pictures and files inline, in page order."""

    model = MediaKitCollection
    icon = "image"
    menu_label = "Media kit"
    menu_name = "media-kit"
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["title", "sort_order"]
    search_fields = ["title", "intro"]
    ordering = ["sort_order", "title"]


register_snippet(MediaKitCollectionViewSet)
