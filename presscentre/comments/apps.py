from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "presscentre.comments"
    label = "comments"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "comments"

    def ready(self):
        """Tell the page cache (below this app, so it cannot import it) what in comments is personal."""
        from presscentre.comments.views import PENDING_COOKIE, challenge_fragment
        from presscentre.pagecache import registry

        # A reader holding comments awaiting moderation sees them on the item page: not a page to share.
        registry.register_bypass_cookie(PENDING_COOKIE)
        registry.register_bypass_prefix("/comments/post/")
        registry.register_bypass_prefix("/comments/challenge/")
        # Each reader's challenge is filled into the shared item page at every serve (ESI).
        registry.register_fragment("/comments/challenge/", challenge_fragment)
