from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "presscentre.pagecache"
    label = "pagecache"
    verbose_name = "page cache"

    def ready(self):
        from presscentre.pagecache import signal_handlers

        signal_handlers.connect()
