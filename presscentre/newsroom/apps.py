from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "presscentre.newsroom"
    label = "newsroom"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Tell the page cache which pages are items: one depends on itself alone, any other page lists items."""
        from presscentre.newsroom.models import NewsItemPage
        from presscentre.pagecache import registry

        registry.register_item_model(NewsItemPage)
