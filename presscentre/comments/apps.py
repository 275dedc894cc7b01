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
        # The site's comment feed shows an item's approved comments only while the item is public; the comment
        # settings (open or closed, the form's wording) are on every item page.
        registry.register_item_tags(comment_feed_tags)
        registry.register_model("comments.CommentSettings")


def comment_feed_tags(item) -> set[str]:
    from presscentre.comments.models import Comment
    from presscentre.pagecache import tags

    return {tags.COMMENTS} if Comment.objects.filter(item_id=item.pk).approved().exists() else set()
