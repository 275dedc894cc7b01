"""Moderation workflows behind the admin screens: status changes, edits, staff replies, moderator emails.

Status changes and deletions are set-based (one UPDATE or DELETE however many comments are selected), so
the queue clears 1,000 comments in one request. Whatever changes what the public sees (a comment approved,
an approved comment edited, withdrawn or deleted) purges each affected item's cached pages once, after the
transaction commits.
"""

import logging
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from presscentre.comments.models import Comment, CommentSettings
from presscentre.core.urls_public import public_page_url
from presscentre.pagecache import tags as cache_tags
from presscentre.pagecache.purge import purge

logger = logging.getLogger(__name__)

MODERATORS_GROUP = "Moderators"


def purge_items(item_ids: Iterable[int]) -> None:
    """A comment shown or hidden: purge each item's page and comment feed, every listing showing the item (its
    comment count) and the site's comment feed, once, after the current transaction commits."""
    item_ids = set(item_ids)
    if item_ids:
        purge({cache_tags.COMMENTS, *(cache_tags.item(pk) for pk in item_ids)})


@transaction.atomic
def set_comments_status(comments: QuerySet[Comment], status: str, *, at: datetime) -> int:
    """Move every comment in `comments` to `status` in one UPDATE; approving sets `approved_at` to `at`.

    Returns how many comments changed. Comments already in `status` are left alone (an approved comment
    keeps its first approval time), so running it twice changes nothing the second time.
    """
    if status not in Comment.Status.values:
        raise ValueError(f"Unknown comment status {status!r}.")
    changing = comments.exclude(status=status)
    # Approving shows every changing comment; any other move hides only those that were approved.
    shown_or_hidden = changing if status == Comment.Status.APPROVED else changing.approved()
    item_ids = set(shown_or_hidden.order_by().values_list("item_id", flat=True).distinct())
    if status == Comment.Status.APPROVED:
        changed = changing.update(status=status, approved_at=at)
    else:
        changed = changing.update(status=status)
    purge_items(item_ids)
    return changed


@transaction.atomic
def delete_comments(comments: QuerySet[Comment]) -> int:
    """Delete the comments (and, as the model says, their replies) for good; returns how many were selected.

    Running it twice is safe: the second run finds nothing to delete.
    """
    selected = set(comments.order_by().values_list("pk", flat=True))
    doomed = _with_replies(selected)
    item_ids = set(Comment.objects.filter(pk__in=doomed).approved().values_list("item_id", flat=True).distinct())
    # QuerySet.delete() would collect the rows and delete them 100 at a time because of the `replies`
    # cascade; the replies are already in `doomed`, and nothing else points at a comment, so one DELETE does.
    deleted = Comment.objects.filter(pk__in=doomed)
    deleted._raw_delete(deleted.db)
    purge_items(item_ids)
    return len(selected)


def _with_replies(pks: set[int]) -> set[int]:
    """The comments and all their replies, however deep: one query per level of the thread."""
    found, level = set(pks), set(pks)
    while level:
        level = set(Comment.objects.filter(parent_id__in=level).values_list("pk", flat=True)) - found
        found |= level
    return found


@transaction.atomic
def save_edited_comment(comment: Comment, *, previous_status: str, at: datetime) -> Comment:
    """Save a comment a moderator edited (name, email, website, body or status).

    Approving through the edit form sets `approved_at`; the item's pages are purged when the comment was or
    is now approved, since the public sees the change.
    """
    if comment.status == Comment.Status.APPROVED and previous_status != Comment.Status.APPROVED:
        comment.approved_at = at
    comment.save()
    if Comment.Status.APPROVED in (comment.status, previous_status):
        purge_items([comment.item_id])
    return comment


def can_reply_to(comment: Comment) -> bool:
    """A reply is allowed while the thread is shallower than the site's reply depth."""
    site = comment.item.get_site()
    depth_limit = CommentSettings.for_site(site).thread_depth if site else CommentSettings().thread_depth
    return comment.depth < depth_limit


@transaction.atomic
def reply_as_staff(parent: Comment, *, body: str, by, at: datetime) -> Comment:
    """Post an approved reply to `parent` in the name of the staff member `by`.

    Raises ValueError when the thread is already as deep as CommentSettings.thread_depth allows.
    """
    if not can_reply_to(parent):
        raise ValueError("This thread is already as deep as replies may go.")
    reply = Comment.objects.create(
        item_id=parent.item_id,
        parent=parent,
        kind=Comment.Kind.COMMENT,
        status=Comment.Status.APPROVED,
        author_name=(by.get_full_name() or by.get_username())[:100],
        author_email=by.email or "",
        body=body,
        user=by,
        created_at=at,
        approved_at=at,
    )
    purge_items([parent.item_id])
    return reply


def moderator_addresses() -> list[str]:
    """Emails of the active members of the Moderators group; active superusers when that group is empty,
    so that a held comment never waits unnoticed on a site that has not set up moderators yet."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    addresses = list(users.filter(groups__name=MODERATORS_GROUP).values_list("email", flat=True).distinct())
    if not addresses:
        addresses = list(users.filter(is_superuser=True).values_list("email", flat=True).distinct())
    return sorted(set(addresses))


def queue_url() -> str:
    """The moderation queue's pending tab, as a full URL for emails."""
    return f"{settings.WAGTAILADMIN_BASE_URL}{reverse('comments_admin:index')}?status={Comment.Status.PENDING}"


def notify_moderators_of_held_comment(comment: Comment) -> bool:
    """Email the moderators that `comment` is waiting in the queue.

    Sends nothing (and returns False) unless the comment is pending and the item's site has "email
    moderators about held comments" on. The email names the item and the commenter and links to the
    queue; it leaves out the commenter's email address and IP. Each call sends one email.
    """
    if comment.status != Comment.Status.PENDING:
        return False
    item = comment.item
    site = item.get_site()
    if site is None or not CommentSettings.for_site(site).notify_moderators:
        return False
    recipients = moderator_addresses()
    if not recipients:
        logger.warning("Comment %s is held for moderation but no moderator has an email address", comment.pk)
        return False
    context = {"comment": comment, "item": item, "queue_url": queue_url(), "item_url": public_page_url(item)}
    send_mail(
        f"Comment awaiting moderation on {item.title}",
        render_to_string("emails/comment_held.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        html_message=render_to_string("emails/comment_held.html", context),
    )
    return True
