from django.db import models


class MissedPurge(models.Model):
    """A purge of the app's page cache that could not reach it (Redis was down or cut off from this process).

    Kept until it is applied: by the retry task (`tasks.retry_missed_purges`), or by any process whose cache
    answers again after an outage. Until then other processes that can still reach Redis would serve the pages it
    names as they were; once applied, those pages are rebuilt from the database.
    """

    tags = models.JSONField(help_text="The cache tags purged (presscentre.pagecache.tags).")
    paths = models.JSONField(default=list, help_text="The item paths the purge names, read when it was asked for.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return " ".join(self.tags)
