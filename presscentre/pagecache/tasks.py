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
