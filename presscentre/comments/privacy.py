"""Commenters' personal data: export it, erase it on request, and erase IP addresses after the retention period.

An erased comment stays in its thread (replies keep their parent) as "Anonymous", with its email, website,
IP address and user agent cleared and, if the admin chooses, its body replaced by "[removed]".
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from presscentre.comments.models import Comment
from presscentre.comments.moderation import purge_items
from presscentre.core.urls_public import public_page_url

logger = logging.getLogger(__name__)

ANONYMOUS_NAME = "Anonymous"
REMOVED_BODY = "[removed]"
DEFAULT_IP_RETENTION_DAYS = 30


def comment_log_title(comment: Comment) -> str:
    """What the audit log calls a comment: never the commenter's name or words, which may later be erased."""
    return f"Comment {comment.pk}"


def export_personal_data(email: str) -> dict:
    """Everything kept about the author of `email` (case-insensitive): each of their comments with its item.

    Read-only: changes nothing and can be run any number of times.
    """
    comments = Comment.objects.by_email(email).select_related("item").order_by("created_at", "pk")
    return {
        "email": email.strip(),
        "comments": [
            {
                "id": comment.pk,
                "item": {"id": comment.item_id, "title": comment.item.title, "url": public_page_url(comment.item)},
                "parent_id": comment.parent_id,
                "kind": comment.kind,
                "status": comment.status,
                "created_at": comment.created_at.isoformat(),
                "approved_at": comment.approved_at.isoformat() if comment.approved_at else None,
                "name": comment.author_name,
                "email": comment.author_email,
                "website": comment.author_url,
                "body": comment.body,
                "ip_address": comment.ip_address,
                "user_agent": comment.user_agent or None,
            }
            for comment in comments
        ],
    }


def log_export(email: str, *, by, at: datetime) -> int:
    """Record in the audit log that the personal data of `email` was exported; returns how many comments."""
    comments = list(Comment.objects.by_email(email).only("pk"))
    for comment in comments:
        log(
            instance=comment,
            action="presscentre.comments.export",
            user=by,
            title=comment_log_title(comment),
            data={"comments": len(comments)},
            timestamp=at,
        )
    logger.info("Exported the personal data of %d comment(s) for user %s", len(comments), getattr(by, "pk", None))
    return len(comments)


@transaction.atomic
def erase_personal_data(email: str, *, keep_bodies: bool, by, at: datetime) -> int:
    """Anonymise every comment by `email` (case-insensitive); returns how many comments were anonymised.

    Sets the name to "Anonymous", clears email, website, IP address and user agent, sets `anonymised_at`,
    and replaces the body with "[removed]" unless `keep_bodies`. Threads stay intact. Earlier audit-log
    entries about these comments are relabelled so that they no longer carry the commenter's name or words,
    and each erasure is logged (without the email address). Running it again finds nothing left to erase.
    """
    email = email.strip()
    if not email:
        raise ValueError("An email address is needed.")
    comments = Comment.objects.by_email(email)
    erased = list(comments.only("pk", "item_id", "status"))
    if not erased:
        return 0
    changes = {"author_name": ANONYMOUS_NAME, "author_email": "", "author_url": "", "ip_address": None}
    changes |= {"user_agent": "", "anonymised_at": at}
    if not keep_bodies:
        changes["body"] = REMOVED_BODY
    Comment.objects.filter(pk__in=[c.pk for c in erased]).update(**changes)

    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Comment), object_id__in=[str(c.pk) for c in erased]
    ).update(label=f"Comment (anonymised {at.date().isoformat()})")
    for comment in erased:
        log(
            instance=comment,
            action="presscentre.comments.erase",
            user=by,
            title=comment_log_title(comment),
            data={"keep_bodies": keep_bodies, "comments": len(erased)},
            timestamp=at,
        )
    logger.info("Erased the personal data of %d comment(s) for user %s", len(erased), getattr(by, "pk", None))
    purge_items(c.item_id for c in erased if c.status == Comment.Status.APPROVED)
    return len(erased)


def ip_retention_days() -> int:
    return int(getattr(settings, "PRESSCENTRE_COMMENT_IP_RETENTION_DAYS", DEFAULT_IP_RETENTION_DAYS))


def comments_with_expired_ip_data(*, at: datetime):
    """Comments older than the retention period that still hold an IP address or user agent."""
    cutoff = at - timedelta(days=ip_retention_days())
    return Comment.objects.filter(created_at__lt=cutoff).filter(Q(ip_address__isnull=False) | ~Q(user_agent=""))


def erase_old_ip_addresses(*, at: datetime) -> int:
    """Clear the IP address and user agent of comments created more than the retention period before `at`.

    One UPDATE; returns how many comments were changed. Safe to run as often as you like.
    """
    return comments_with_expired_ip_data(at=at).update(ip_address=None, user_agent="")
