from django.apps import AppConfig


class EmbargoConfig(AppConfig):
    name = "presscentre.embargo"
    label = "embargo"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from datetime import timedelta

        from wagtail.signals import page_published

        from presscentre.core import worker
        from presscentre.embargo.services import (
            next_lift_after,
            queue_stranded_lift_notices,
            register_public_image_owner,
        )
        from presscentre.embargo.signal_handlers import announce_public_on_publish, schedule_lift_on_publish
        from presscentre.pagecache import registry

        page_published.connect(schedule_lift_on_publish, dispatch_uid="presscentre.embargo.schedule_lift")
        page_published.connect(announce_public_on_publish, dispatch_uid="presscentre.embargo.announce_public")
        # The page cache sits below this app: it learns when the next lift falls, and that journalists' pages are
        # personal, from here.
        registry.register_next_lift(next_lift_after)
        # Images shown to everyone by their nature: a person's headshot, the site's logo, favicon and social image.
        register_public_image_owner("newsroom.Person", "photo")
        register_public_image_owner("newsroom.PressCentreSettings", "logo", "favicon", "default_social_image")
        registry.register_bypass_prefix("/embargoed/")
        # Every task worker looks, now and then, for a lift's email whose delivery task was lost.
        worker.register_chore("queue stranded lift emails", queue_stranded_lift_notices, every=timedelta(minutes=1))
