from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "presscentre.distribution"
    label = "distribution"
    verbose_name = "Distribution"

    def ready(self):
        from datetime import timedelta

        from presscentre.core import worker
        from presscentre.distribution.directory import search_media_contacts
        from presscentre.distribution.services import resume_stalled_sends
        from presscentre.embargo.directory import register_contact_directory

        # The journalist links screen (embargo) picks recipients from the media contacts through this.
        register_contact_directory(search_media_contacts, name="media contacts")
        # Each sending run queues its successor before it sends, so a send goes on by itself; every task worker
        # also looks, now and then, for a send that nothing moves (its queued run lost) and queues a run for it.
        worker.register_chore("resume stalled sends", resume_stalled_sends, every=timedelta(seconds=30))
