from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "presscentre.pagecache"
    label = "pagecache"
    verbose_name = "page cache"

    def ready(self):
        from presscentre.core import pagination
        from presscentre.pagecache import cache_backend, purge, services, signal_handlers

        signal_handlers.connect()
        cache_backend.on_recovery(purge.apply_missed_purges_on_recovery)
        cache_backend.on_recovery(purge.forget_shared_memories_on_recovery)
        pagination.register_count_store(services.cached_count)
