from django.utils import timezone
from django_tasks import task

from presscentre.comments.moderation import notify_moderators_of_held_comment
from presscentre.comments.privacy import erase_old_ip_addresses


@task()
def erase_old_ip_addresses_task() -> int:
    """Clear IP addresses and user agents past the retention period; see `erase_comment_ip_addresses`."""
    return erase_old_ip_addresses(at=timezone.now())


@task()
def notify_moderators_of_held_comment_task(comment_id: int) -> bool:
    """Email the moderators about a held comment from the worker, so posting never waits for SMTP."""
    from presscentre.comments.models import Comment

    comment = Comment.objects.filter(pk=comment_id).select_related("item").first()
    if comment is None:
        return False
    return notify_moderators_of_held_comment(comment)
