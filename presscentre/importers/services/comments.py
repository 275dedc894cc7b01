"""Comments, pingbacks and trackbacks, matched by (post, WordPress comment id), written per batch."""

import ipaddress

from presscentre.comments.models import Comment
from presscentre.importers.content import plain_text
from presscentre.importers.models import ImportedComment
from presscentre.importers.services.tree import real_page
from presscentre.importers.wxr import WXRComment, WXRItem
from presscentre.newsroom.models import (
    NewsItemPage,
)

COMMENT_STATUSES = {
    "1": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}


class CommentsMixin:
    """Comments queued with their post and written with their replies' parents."""

    def queue_comments(self, record_pk: int | None, page: NewsItemPage, item: WXRItem) -> None:
        known = self.known_comments.get(record_pk, {}) if record_pk else {}
        seen = set()
        for wp_comment in item.comments:
            if wp_comment.type == "note":
                self.summary.record("comment", "skipped", "block note (never public)")
            elif not wp_comment.id.isdigit():
                self.summary.record("comment", "skipped", "no comment id")
            elif int(wp_comment.id) in known or int(wp_comment.id) in seen:
                self.summary.record("comment", "skipped", "already imported")
            elif wp_comment.approved not in COMMENT_STATUSES:
                self.summary.record("comment", "skipped", f"status {wp_comment.approved or '(none)'}")
            else:
                seen.add(int(wp_comment.id))
                self.comments.append((record_pk, real_page(page), wp_comment))
                self.summary.record("comment", "created")

    def write_comments(self) -> None:
        queued, self.comments = self.comments, []
        if not queued:
            return
        comments = Comment.objects.bulk_create(self.build_comment(page, c) for _pk, page, c in queued)
        ImportedComment.objects.bulk_create(
            ImportedComment(post_id=record_pk, wp_comment_id=int(c.id), comment=comment)
            for (record_pk, _page, c), comment in zip(queued, comments, strict=True)
        )
        for (record_pk, _page, c), comment in zip(queued, comments, strict=True):
            self.known_comments[record_pk][int(c.id)] = comment.pk
        replies = []
        for (record_pk, _page, c), comment in zip(queued, comments, strict=True):
            parent_pk = self.known_comments[record_pk].get(int(c.parent)) if c.parent.isdigit() else None
            if parent_pk and parent_pk != comment.pk:
                comment.parent_id = parent_pk
                replies.append(comment)
        Comment.objects.bulk_update(replies, ["parent"], batch_size=500)

    def build_comment(self, page: NewsItemPage, wp_comment: WXRComment) -> Comment:
        status = COMMENT_STATUSES[wp_comment.approved]
        created_at = self.parse_date(wp_comment.date_gmt, wp_comment.date) or page.published_at
        kind = wp_comment.type if wp_comment.type in ("pingback", "trackback") else Comment.Kind.COMMENT
        return Comment(
            item_id=page.pk,
            kind=kind,
            status=status,
            author_name=plain_text(wp_comment.author)[:100] or "Anonymous",
            author_email=wp_comment.author_email[:254],
            author_url=wp_comment.author_url.strip()[:300],
            body=wp_comment.content,
            created_at=created_at,
            approved_at=created_at if status == Comment.Status.APPROVED else None,
            ip_address=_ip_or_none(wp_comment.author_ip),
        )


def _ip_or_none(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
