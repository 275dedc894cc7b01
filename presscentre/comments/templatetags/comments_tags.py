"""The comment area of an item page and the comment status of a listing entry.

Newsroom templates call these tags; newsroom code knows nothing of comments.
"""

import json

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from presscentre.comments.forms import CommentForm
from presscentre.comments.models import Comment, CommentSettings
from presscentre.comments.services import (
    accepts_comments,
    approved_comment_counts,
    comment_body_html,
    comment_thread,
    safe_website,
)
from presscentre.comments.views import pending_comment_ids
from presscentre.embargo.services import can_view
from presscentre.newsroom.excerpts import text_of_html

register = template.Library()

# Set on the request when a page shows something meant for this reader alone; the item page then tells every
# cache to keep the response private.
PERSONAL_RESPONSE_FLAG = "response_is_personal"


@register.filter
def comment_body(body: str):
    return comment_body_html(body)


@register.filter
def comment_text(body: str) -> str:
    """A comment as one line of the text readers see (its markup's words kept apart), for short previews."""
    return text_of_html(comment_body_html(body))


@register.filter
def commenter_website(url: str) -> str:
    return safe_website(url)


def _comment_settings(request) -> CommentSettings:
    return CommentSettings.for_request(request) if request is not None else CommentSettings()


def _find_node(nodes, comment_id):
    for node in nodes:
        if node.comment.pk == comment_id:
            return node
        found = _find_node(node.children, comment_id)
        if found is not None:
            return found
    return None


def _reply_target(request, thread, form):
    """The approved comment being replied to: from the form after a failed post, else from ?replytocom=."""
    if form is not None and form.is_bound:
        raw = form.data.get("parent", "")
    elif form is not None:
        raw = str(form.initial.get("parent") or "")
    else:
        raw = request.GET.get("replytocom", "") if request is not None else ""
    raw = str(raw)
    # ASCII digits of a sensible length only: int() refuses "²" and numbers of thousands of digits.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        return None
    node = _find_node(thread.nodes, int(raw))
    return node if node is not None and node.can_reply else None


@register.inclusion_tag("comments/area.html", takes_context=True)
def comments_area(context, page):
    """Comments, count heading, feed link and the "Leave a Reply" form (or "Comments Off") for an item page."""
    request = context.get("request")
    now = timezone.now()
    viewer = getattr(request, "user", None)
    if page.pk is None or not can_view(page, at=now, viewer=viewer):
        # A new page's preview, or a copy the public may not see yet: nothing about comments.
        return {"page": page, "shown": False}
    comment_settings = _comment_settings(request)
    pending_ids = pending_comment_ids(request) if request is not None else frozenset()
    thread = comment_thread(page, max_depth=comment_settings.thread_depth, pending_ids=pending_ids)
    if request is not None and any(comment.status != Comment.Status.APPROVED for comment in thread.by_id.values()):
        setattr(request, PERSONAL_RESPONSE_FLAG, True)
    accepting = accepts_comments(page, at=now, settings=comment_settings)
    form = context.get("comment_form") if accepting else None
    reply_node = None
    if accepting:
        if form is None:
            reply_node = _reply_target(request, thread, None)
            initial = {"parent": reply_node.comment.pk} if reply_node else {}
            form = CommentForm(item=page, at=now, comment_settings=comment_settings, initial=initial)
        else:
            reply_node = _reply_target(request, thread, form)
    return {
        "shown": True,
        "page": page,
        "thread": thread,
        "accepting": accepting,
        "form": form,
        "reply_to": reply_node.comment if reply_node else None,
        "feed_url": reverse("comments:item_feed", args=[page.pk]) if can_view(page, at=now) else "",
        "altcha_strings": json.dumps({"expired": comment_settings.expired_message}),
        "expired_message": comment_settings.expired_message,
    }


@register.simple_tag(takes_context=True)
def entry_comment_status(context, item, page_of_items=None, url=None):
    """'3 Comments', '1 Comment', 'Leave a comment' or 'Comments Off on <title>' for a listing entry.

    Counts for every entry on the listing page are fetched together the first time, in one query.
    """
    request = context.get("request")
    if item.comments_open and accepts_comments(item, at=timezone.now(), settings=_comment_settings(request)):
        count = _listing_counts(item, page_of_items).get(item.pk, 0)
        url = url or item.get_url(request=request)
        if count:
            label = "1 Comment" if count == 1 else f"{count} Comments"
            return format_html(
                '<a href="{}#comments">{}<span class="visually-hidden"> on {}</span></a>', url, label, item.title
            )
        return format_html(
            '<a href="{}#respond">Leave a comment<span class="visually-hidden"> on {}</span></a>', url, item.title
        )
    return format_html('Comments Off<span class="visually-hidden"> on {}</span>', item.title)


def _listing_counts(item, page_of_items) -> dict[int, int]:
    if not page_of_items or isinstance(page_of_items, str):  # an entry shown outside a listing page
        return approved_comment_counts([item.pk])
    counts = getattr(page_of_items, "_approved_comment_counts", None)
    if counts is None:
        counts = approved_comment_counts(entry.pk for entry in page_of_items if entry.comments_open)
        page_of_items._approved_comment_counts = counts
    return counts
