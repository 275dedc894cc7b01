from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "presscentre.newsroom"
    label = "newsroom"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Tell the page cache which pages are items, where they appear and which rows every page shows."""
        from presscentre.newsroom import cache_tags
        from presscentre.newsroom.models import site_settings

        cache_tags.register()
        site_settings.connect_signals()
