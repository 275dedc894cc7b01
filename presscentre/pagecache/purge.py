"""One purge path: `purge(tags)` tells the app's page cache and every edge cache what changed, after commit.

Every change that a reader could see calls it with the tags it affects (`presscentre.pagecache.tags`): a publish,
a lift, a comment approval, a settings save. The purge runs once the transaction commits, so no reader can cache
the old rows again after it; a purge requested outside a transaction runs at once.

- The app's own cache has three coarse tokens (`services`): `site` bumps the site token; an `item-<id>` bumps that
  item's paths and the listings token; any other tag bumps the listings token. It never holds documents.
- Each edge (`edge.py`) is sent the exact tags. A send that fails (Varnish restarting, a CDN's API down) is logged
  and retried from the task queue with a growing delay; it never raises into the change that caused it.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from presscentre.pagecache import edge, registry, services
from presscentre.pagecache import tags as cache_tags

logger = logging.getLogger(__name__)

# Delays before each retry of a failed edge purge; the copies it missed still expire within their s-maxage.
RETRY_DELAYS = (timedelta(seconds=2), timedelta(seconds=10), timedelta(seconds=60), timedelta(minutes=5))

_sent: list[set[str]] | None = None


def purge(tags: Iterable[str]) -> None:
    """Purge `tags` from the app's page cache and every edge once the current transaction commits."""
    wanted = cache_tags.clean(tags)
    if not wanted:
        return
    # An item's paths are read now: after a deletion commits, the item is gone.
    paths = _item_paths(wanted) if cache_tags.SITE not in wanted else []
    transaction.on_commit(lambda: purge_now(wanted, paths), robust=True)


def purge_now(wanted: set[str], paths: list[str]) -> None:
    if _sent is not None:
        _sent.append(set(wanted))
    purge_app_cache(wanted, paths)
    purge_edges(sorted(wanted))


def purge_app_cache(wanted: set[str], paths: list[str]) -> None:
    try:
        if cache_tags.SITE in wanted:
            services.purge_site()
            services.purge_listings()
            return
        if any(not tag.startswith("document-") for tag in wanted):
            services.purge_listings()
        services.purge_paths(paths)
    except Exception:
        # The cache being down is not the change's problem: its copies are unreachable too, and expire.
        logger.exception("The page cache could not be purged of %s", " ".join(sorted(wanted)))


def purge_edges(tags: list[str]) -> None:
    for cache in edge.edge_caches():
        try:
            cache.purge_tags(tags)
        except edge.EdgePurgeError as error:
            logger.warning("Purge of %s from %s failed (%s); retrying from the task queue", tags, cache.name, error)
            schedule_retry(cache.name, tags, attempt=1)


def schedule_retry(name: str, tags: list[str], *, attempt: int) -> None:
    from presscentre.pagecache.tasks import retry_edge_purge

    if attempt > len(RETRY_DELAYS):
        logger.error("Gave up purging %s from %s after %d attempts", tags, name, attempt - 1)
        return
    try:
        retry_edge_purge.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 1]).enqueue(name, tags, attempt)
    except Exception:
        logger.exception("Could not queue the retry of a purge of %s from %s", tags, name)


def _item_paths(wanted: set[str]) -> list[str]:
    ids = [pk for pk in map(cache_tags.item_id, wanted) if pk is not None]
    model = registry.item_model()
    if not ids or model is None:
        return []
    paths = []
    for item in model.objects.filter(pk__in=ids):
        paths += services.item_paths(item)
    return paths


class recording:
    """`with purge.recording() as sent:` collects the tag sets purged inside the block (for tests and benchmarks)."""

    def __enter__(self) -> list[set[str]]:
        global _sent
        self.outer, _sent = _sent, []
        return _sent

    def __exit__(self, *exc_info) -> None:
        global _sent
        _sent = self.outer
