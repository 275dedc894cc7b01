"""Readers' comments: whether an item takes them, posting one through the moderation rules, and showing them.

The rules follow WordPress's discussion settings (CommentSettings): a disallowed word sends a comment to spam; a
moderation word, too many links or a first-time author holds it for moderation; anything else is approved. Word
lists match name, email, website, body, IP address and browser, ignoring case, as WordPress does.
"""

import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import nh3
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q
from django.template.defaultfilters import linebreaks_filter, urlize
from django.utils.safestring import SafeString, mark_safe

from presscentre.comments.models import Comment, CommentSettings
from presscentre.core.urls_public import public_base_url, public_page_url
from presscentre.embargo.services import public_items

logger = logging.getLogger(__name__)

RATE_LIMIT_PREFIX = "comments:rate:"
# The rel every link a commenter wrote carries: search engines ignore it, and the target cannot reach back.
COMMENTER_LINK_REL = "nofollow ugc noopener"
# The markup WordPress lets commenters use (its $allowedtags), for imported comments and comments posted here
# alike, plus the paragraphs and line breaks a comment's blank lines and newlines become. Links keep only
# http, https and mailto addresses, and get COMMENTER_LINK_REL.
COMMENT_ALLOWED_TAGS = frozenset(
    {"a", "abbr", "b", "blockquote", "br", "cite", "code", "del", "em", "i", "li", "ol", "p", "q", "strike"}
    | {"strong", "ul"}
)
COMMENT_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
COMMENT_URL_SCHEMES = frozenset({"http", "https", "mailto"})
_COMMENT_MARKUP = re.compile(rf"</?(?:{'|'.join(sorted(COMMENT_ALLOWED_TAGS))})\b", re.IGNORECASE)
_BREAK_BY_LIST_OR_QUOTE = re.compile(r"<br>\s*(?=</?(?:ul|ol|li|blockquote)>)|(?<=>)<br>(?=\s*<(?:/?li|/?ul|/?ol)>)")
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)")


class CommentRefused(Exception):
    """The comment was not saved; the message says why, in words for the reader."""


class CommentsClosed(CommentRefused):
    pass


class RateLimited(CommentRefused):
    pass


# Whether an item takes comments


def closes_at(item, *, settings: CommentSettings) -> datetime | None:
    """When comments on `item` close by age (CommentSettings.close_after_days), or None if they never do."""
    if not settings.close_after_days:
        return None
    return item.published_at + timedelta(days=settings.close_after_days)


def accepts_comments(item, *, at: datetime, settings: CommentSettings) -> bool:
    """Is `item` open for comments at `at`: open on the item, and not closed by age?

    Who may see the item is a separate question, answered by the embargo rule.
    """
    if not item.comments_open:
        return False
    closing = closes_at(item, settings=settings)
    return closing is None or at < closing


# Spam checking outside the site (optional)


class SpamChecker(Protocol):
    def is_spam(self, comment: Comment, *, permalink: str) -> bool | None:
        """True for spam, False for not spam, None when the service could not say."""


class AkismetChecker:
    """Akismet's comment check over HTTPS. Off unless PRESSCENTRE_AKISMET_KEY is set: it sends the commenter's
    name, email, website, IP address and text to Automattic."""

    def __init__(self, key: str, *, blog: str, timeout: float = 5.0):
        self.key = key
        self.blog = blog
        self.timeout = timeout

    def is_spam(self, comment: Comment, *, permalink: str) -> bool | None:
        data = urllib.parse.urlencode(
            {
                "blog": self.blog,
                "user_ip": comment.ip_address or "",
                "user_agent": comment.user_agent,
                "permalink": permalink,
                "comment_type": "reply" if comment.parent_id else "comment",
                "comment_author": comment.author_name,
                "comment_author_email": comment.author_email,
                "comment_author_url": comment.author_url,
                "comment_content": comment.body,
                "comment_date_gmt": comment.created_at.isoformat(),
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - a fixed https URL
            f"https://{urllib.parse.quote(self.key, safe='')}.rest.akismet.com/1.1/comment-check",
            data=data,
            headers={"User-Agent": "PressCentre | Akismet/1.0"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read(100).decode("ascii", "replace").strip()
        except (OSError, ValueError) as error:
            logger.warning("Akismet could not check comment: %s", error)
            return None
        return {"true": True, "false": False}.get(answer)


def configured_spam_checker() -> SpamChecker | None:
    """The Akismet checker when PRESSCENTRE_AKISMET_KEY is set, else None."""
    key = getattr(django_settings, "PRESSCENTRE_AKISMET_KEY", "")
    return AkismetChecker(key, blog=public_base_url()) if key else None


# Posting


def count_links(text: str) -> int:
    """How many web addresses a plain-text comment contains (each becomes a link when shown)."""
    return len(_LINK.findall(text))


def _word_list(text: str) -> list[str]:
    return [line.strip().lower() for line in text.splitlines() if line.strip()]


def _matches(words: str, haystacks: list[str]) -> bool:
    fields = [value.lower() for value in haystacks if value]
    return any(word in value for word in _word_list(words) for value in fields)


def moderation_status(comment: Comment, *, settings: CommentSettings) -> str:
    """The status the site's rules give a new comment, checked in WordPress's order of severity."""
    haystacks = [
        comment.author_name,
        comment.author_email,
        comment.author_url,
        comment.body,
        comment.ip_address or "",
        comment.user_agent,
    ]
    if _matches(settings.disallowed_words, haystacks):
        return Comment.Status.SPAM
    if _matches(settings.moderation_words, haystacks):
        return Comment.Status.PENDING
    if settings.hold_at_links and count_links(comment.body) >= settings.hold_at_links:
        return Comment.Status.PENDING
    if settings.hold_first_time_authors and not Comment.objects.approved().by_email(comment.author_email).exists():
        return Comment.Status.PENDING
    return Comment.Status.APPROVED


def check_rate_limit(ip: str, *, at: datetime) -> None:
    """Count one comment from `ip` in the shared cache; raise RateLimited past the limit for this window."""
    window = django_settings.PRESSCENTRE_COMMENT_RATE_LIMIT_MINUTES * 60
    key = f"{RATE_LIMIT_PREFIX}{ip or 'unknown'}:{int(at.timestamp()) // window}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this is the first of a new window
        cache.set(key, 1, timeout=window)
        count = 1
    if count > django_settings.PRESSCENTRE_COMMENT_RATE_LIMIT:
        raise RateLimited("You have posted several comments in the last few minutes. Please wait and try again.")


def post_comment(
    item,
    *,
    data: dict,
    ip: str,
    user_agent: str,
    at: datetime,
    settings: CommentSettings,
    checker: SpamChecker | None = None,
) -> Comment:
    """Save a reader's comment on `item` with the status the moderation rules give it, and return it.

    `data` holds the form's cleaned name, email, url, body and parent (an approved comment on the same item, or
    None). Raises CommentsClosed when the item takes no comments at `at`, and RateLimited when `ip` has posted
    too often; nothing is saved then. Each successful call saves one comment (spam is kept for the moderators),
    asks the moderators to look at a held one and purges the item's cached pages when it is shown at once.
    The caller has already checked that the reader may see the item.
    """
    if not accepts_comments(item, at=at, settings=settings):
        raise CommentsClosed("Comments are closed on this item.")
    parent = data.get("parent")
    if parent is not None and parent.item_id != item.pk:
        raise CommentRefused("That comment belongs to another item.")
    check_rate_limit(ip, at=at)
    comment = Comment(
        item_id=item.pk,
        parent=parent,
        kind=Comment.Kind.COMMENT,
        author_name=data["name"].strip(),
        author_email=data["email"].strip(),
        author_url=data.get("url") or "",
        body=data["body"].strip(),
        created_at=at,
        ip_address=ip or None,
        user_agent=(user_agent or "")[:300],
    )
    comment.status = moderation_status(comment, settings=settings)
    if comment.status != Comment.Status.SPAM and checker is not None:
        verdict = checker.is_spam(comment, permalink=public_page_url(item))
        if verdict is True:
            comment.status = Comment.Status.SPAM
        elif verdict is None:
            comment.status = Comment.Status.PENDING  # no answer: let a person decide
    if comment.status == Comment.Status.APPROVED:
        comment.approved_at = at
    with transaction.atomic():
        comment.save()
        if comment.status == Comment.Status.PENDING:
            transaction.on_commit(lambda: _notify_moderators(comment.pk))
        elif comment.status == Comment.Status.APPROVED:
            from presscentre.comments.moderation import purge_items

            purge_items([item.pk])
    return comment


def _notify_moderators(comment_id: int) -> None:
    from presscentre.comments.tasks import notify_moderators_of_held_comment_task

    notify_moderators_of_held_comment_task.enqueue(comment_id)


# Showing comments


@dataclass
class CommentNode:
    comment: Comment
    depth: int
    can_reply: bool
    children: list["CommentNode"] = field(default_factory=list)

    @property
    def is_pending(self) -> bool:
        return self.comment.status == Comment.Status.PENDING


@dataclass
class CommentThread:
    nodes: list[CommentNode]
    approved_count: int
    by_id: dict[int, Comment]


def comment_thread(item, *, max_depth: int, pending_ids: frozenset[int] = frozenset()) -> CommentThread:
    """The item's approved comments (and the reader's own pending ones) as a tree, from one query.

    Replies nest up to `max_depth`; deeper replies (from an import, or a depth lowered later) are shown at the
    deepest level, after their parent, as WordPress does. A reply whose parent is not shown stands at the top.
    """
    shown = Q(status=Comment.Status.APPROVED)
    if pending_ids:
        shown |= Q(status=Comment.Status.PENDING, pk__in=pending_ids)
    comments = list(
        Comment.objects.filter(shown, item_id=item.pk).only(
            "pk", "parent_id", "item_id", "status", "author_name", "author_url", "body", "created_at", "kind"
        )
    )
    by_id = {comment.pk: comment for comment in comments}
    children = defaultdict(list)
    roots = []
    for comment in comments:
        if comment.parent_id in by_id:
            children[comment.parent_id].append(comment)
        else:
            roots.append(comment)
    max_depth = max(max_depth, 1)

    def place(comment: Comment, into: list[CommentNode], depth: int) -> None:
        node = CommentNode(
            comment, depth=depth, can_reply=depth < max_depth and comment.status == Comment.Status.APPROVED
        )
        into.append(node)
        for child in children[comment.pk]:
            if depth < max_depth:
                place(child, node.children, depth + 1)
            else:
                place(child, into, depth)

    nodes: list[CommentNode] = []
    for root in roots:
        place(root, nodes, 1)
    approved = sum(1 for comment in comments if comment.status == Comment.Status.APPROVED)
    return CommentThread(nodes=nodes, approved_count=approved, by_id=by_id)


def approved_comment_counts(item_ids) -> dict[int, int]:
    """Approved comments per item, for a listing page, in one query.

    COUNT(*) rather than COUNT(id): the (item, status, created_at) index then answers it alone (an index-only
    scan, no row reads), about 0.6 ms rather than 8-25 ms for a page of items with hundreds of comments each.
    """
    item_ids = list(item_ids)
    if not item_ids:
        return {}
    rows = (
        Comment.objects.approved()
        .filter(item_id__in=item_ids)
        .order_by()
        .values("item_id")
        .annotate(count=Count("*"))
        .values_list("item_id", "count")
    )
    return dict(rows)


def comment_body_html(body: str) -> SafeString:
    """A comment as HTML, sanitised: what feeds, item pages and the moderation screens show.

    A comment that uses the markup commenters may use (COMMENT_ALLOWED_TAGS, as WordPress allows and as imported
    comments hold) keeps it; plain text is escaped with its web addresses linked. Either way blank lines become
    paragraphs and newlines line breaks, and the result passes through nh3 with the allowlist, so no script, event
    attribute or javascript: address survives, whatever was typed. Bodies are stored as typed: this is the one place
    they become HTML.
    """
    if _COMMENT_MARKUP.search(body or ""):
        html = _BREAK_BY_LIST_OR_QUOTE.sub("", linebreaks_filter(body, autoescape=False))
    else:
        html = linebreaks_filter(urlize(body, autoescape=True), autoescape=False)
    return mark_safe(sanitise_comment_html(html))  # noqa: S308 - sanitised by nh3


def sanitise_comment_html(html: str) -> str:
    """`html` reduced to the comment allowlist: other tags dropped (scripts and styles with their content)."""
    return nh3.clean(
        html,
        tags=set(COMMENT_ALLOWED_TAGS),
        attributes=COMMENT_ALLOWED_ATTRIBUTES,
        url_schemes=set(COMMENT_URL_SCHEMES),
        link_rel=COMMENTER_LINK_REL,
        strip_comments=True,
    )


def safe_website(url: str) -> str:
    """The commenter's website when it is an http(s) address, else '' (imported data may hold anything)."""
    url = (url or "").strip()
    scheme = urllib.parse.urlsplit(url).scheme.lower() if url else ""
    return url if scheme in {"http", "https"} and not any(ord(char) < 33 for char in url) else ""


def latest_public_comments(*, at: datetime, limit: int = 50, item=None):
    """The newest approved comments on items the public may see at `at` (on one item when given)."""
    comments = Comment.objects.approved().filter(item_id__in=public_items(at).values("pk"))
    if item is not None:
        comments = comments.filter(item_id=item.pk)
    return comments.select_related("item").order_by("-created_at", "-pk")[:limit]
