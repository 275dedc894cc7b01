from django_tasks import task

from presscentre.pagecache import edge, purge


@task()
def retry_edge_purge(name: str, tags: list[str], attempt: int) -> bool:
    """Send a purge an edge missed; on another failure, queue the next attempt (`purge.RETRY_DELAYS`)."""
    cache = edge.edge_cache(name)
    if cache is None:
        return False  # the edge was taken out of the settings since
    try:
        cache.purge_tags(tags)
    except edge.EdgePurgeError as error:
        purge.logger.warning("Retry %d of a purge of %s from %s failed (%s)", attempt, tags, name, error)
        purge.schedule_retry(name, tags, attempt=attempt + 1)
        return False
    return True


@task()
def retry_missed_purges(missed_id: int, attempt: int) -> bool:
    """Apply the purges the app's cache missed; while it is still unreachable, queue the next attempt.

    Each missed purge queues its own retries, which stop once it is applied (by any of them, or by a process that
    saw Redis come back): there is no last attempt, as a purge left out would leave pages stale.
    """
    from presscentre.pagecache.models import MissedPurge

    if not MissedPurge.objects.filter(pk=missed_id).exists():
        return True
    if purge.apply_missed_purges():
        return True
    purge.schedule_missed_retry(missed_id, attempt=attempt + 1)
    return False
