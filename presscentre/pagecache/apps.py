from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "presscentre.pagecache"
    label = "pagecache"
    verbose_name = "page cache"

    def ready(self):
        from presscentre.core import pagination
        from presscentre.pagecache import services, signal_handlers

        signal_handlers.connect()
        pagination.register_count_store(services.cached_count)
