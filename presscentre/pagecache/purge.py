"""One purge path: `purge(tags)` tells the app's page cache and every edge cache what changed, after commit.

Every change that a reader could see calls it with the tags it affects (`presscentre.pagecache.tags`): a publish,
a lift, a comment approval, a settings save. The purge runs once the transaction commits, so no reader can cache
the old rows again after it; a purge requested outside a transaction runs at once.

- The app's own cache has three coarse tokens (`services`): `site` bumps the site token; an `item-<id>` bumps that
  item's paths and the listings token; any other tag bumps the listings token. It never holds documents or image
  files, so their tags (`document-<id>`, `image-<id>`) only reach the edge.
- Each edge (`edge.py`) is sent the exact tags. A send that fails (Varnish restarting, a CDN's API down) is logged
  and retried from the task queue with a growing delay; it never raises into the change that caused it.
- A purge the app's cache missed (Redis down, or cut off from this process while others still reach it) is kept
  as a `MissedPurge` row and applied when the cache answers: by a retry task every few seconds until it succeeds,
  and by any process that sees Redis come back before that process reads anything (`cache_backend.on_recovery`).
  Until then a process that still reaches Redis may serve the pages it names as they were.

Nothing here raises into the change that asked for the purge: a publish goes live, with its audit entry, whatever
state the caches are in.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from presscentre.pagecache import cache_backend, edge, registry, services
from presscentre.pagecache import tags as cache_tags

logger = logging.getLogger(__name__)

# Delays before each retry of a failed edge purge; the copies it missed still expire within their s-maxage.
RETRY_DELAYS = (timedelta(seconds=2), timedelta(seconds=10), timedelta(seconds=60), timedelta(minutes=5))
# Delays before each retry of a purge the app's cache missed; the last repeats until the cache takes it, so a page
# is stale at most this long after Redis comes back (less when any process sees it come back first).
MISSED_RETRY_DELAYS = (timedelta(seconds=1), timedelta(seconds=2), timedelta(seconds=5))

_sent: list[set[str]] | None = None


def purge(tags: Iterable[str]) -> None:
    """Purge `tags` from the app's page cache and every edge once the current transaction commits."""
    wanted = cache_tags.clean(tags)
    if not wanted:
        return
    try:
        # An item's paths are read now: after a deletion commits, the item is gone.
        paths = _item_paths(wanted) if cache_tags.SITE not in wanted else []
    except Exception:
        # Never into the change (a publish's signal): without the paths, every page is purged instead.
        logger.exception("Could not find the paths of %s; purging the whole site instead", " ".join(sorted(wanted)))
        wanted, paths = wanted | {cache_tags.SITE}, []
    transaction.on_commit(lambda: purge_now(wanted, paths), robust=True)


def purge_now(wanted: set[str], paths: list[str]) -> None:
    if _sent is not None:
        _sent.append(set(wanted))
    purge_app_cache(wanted, paths)
    purge_edges(sorted(wanted))


def purge_app_cache(wanted: set[str], paths: list[str]) -> None:
    """Purge the app's page cache now; if it cannot be reached, keep the purge to apply when it can."""
    try:
        with cache_backend.strict():
            _purge_app_cache(wanted, paths)
    except Exception as error:
        logger.warning("The page cache could not be purged of %s (%s)", " ".join(sorted(wanted)), error)
        record_missed_purge(wanted, paths)


def _purge_app_cache(wanted: set[str], paths: list[str]) -> None:
    if cache_tags.SITE in wanted:
        services.purge_site()
        services.purge_listings()
        return
    if any(not tag.startswith(("document-", "image-")) for tag in wanted):  # files: never in the app's cache
        services.purge_listings()
    services.purge_paths(paths)


def record_missed_purge(wanted: set[str], paths: list[str]) -> None:
    """Keep a purge the app's cache missed, and queue its retry. Never raises."""
    from presscentre.pagecache.models import MissedPurge

    try:
        missed = MissedPurge.objects.create(tags=sorted(wanted), paths=list(paths))
    except Exception:
        logger.exception(
            "Could not keep the missed purge of %s: the pages it names may be served as they were until they expire",
            " ".join(sorted(wanted)),
        )
        return
    schedule_missed_retry(missed.pk, attempt=1)


def apply_missed_purges() -> bool:
    """Apply every purge the app's cache missed, as one purge, and forget them; True when none is left.

    Safe to run twice or in two processes at once: a purge only replaces tokens, so a second one costs a rebuild.
    """
    from presscentre.pagecache.models import MissedPurge

    missed = list(MissedPurge.objects.all())
    if not missed:
        return True
    tags = set().union(*(row.tags for row in missed))
    paths = sorted(set().union(*(row.paths for row in missed)))
    try:
        with cache_backend.strict():
            _purge_app_cache(tags, [] if cache_tags.SITE in tags else paths)
    except Exception as error:
        logger.warning("The page cache still cannot be purged of %d missed purges (%s)", len(missed), error)
        return False
    MissedPurge.objects.filter(pk__in=[row.pk for row in missed]).delete()
    logger.warning("Applied %d purges the page cache missed while unreachable", len(missed))
    return True


def apply_missed_purges_on_recovery() -> None:
    """Registered with the cache backend: a cache back from an outage first hears what it missed.

    In a savepoint, as it may run inside any request's transaction, which a failed query must not break.
    """
    with transaction.atomic():
        applied = apply_missed_purges()
    if not applied:
        raise cache_backend.CacheUnavailable("the missed purges could not be applied")


def forget_shared_memories_on_recovery() -> None:
    """Registered with the cache backend: what other processes remember by the shared cache (the site memory's
    generation, Wagtail's site root paths) may have missed a change while it was down, so it starts afresh."""
    from wagtail.models import Site

    from presscentre.core import site_memo

    site_memo.bump()
    Site.clear_site_root_paths_cache()


def schedule_missed_retry(missed_id: int, *, attempt: int) -> None:
    from presscentre.pagecache.tasks import retry_missed_purges

    delay = MISSED_RETRY_DELAYS[min(attempt, len(MISSED_RETRY_DELAYS)) - 1]
    try:
        retry_missed_purges.using(run_after=timezone.now() + delay).enqueue(missed_id, attempt)
    except Exception:
        logger.exception("Could not queue the retry of a missed page cache purge")


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
