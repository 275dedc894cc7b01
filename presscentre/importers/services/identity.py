"""Which WordPress post a record is: post ids (made up for exports without them), what makes two posts
the same post, and the record an import keeps of each, so importing again skips, updates or refuses it."""

import hashlib
import json
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from presscentre.importers.content import plain_text
from presscentre.importers.models import ImportedPost
from presscentre.importers.tasks import index_imported_pages
from presscentre.importers.wxr import WXRItem

IMPORTED_STATUSES = {"publish", "future", "draft", "pending", "private"}
# Theme preview exports leave out wp:post_id. A post id derived from the GUID lies far above any id WordPress
# hands out (an auto-increment column), fits ImportedPost's unsigned 64-bit key on every database, and is the
# same on every run, so importing the file again finds the same records.
DERIVED_POST_ID_BASE = 1 << 62
DERIVED_POST_ID_BYTES = 7
POST_ID_PARAMETERS = ("p", "page_id", "attachment_id")
HASHED_ID = "a hash of the GUID"
CONFLICT_REASON = "conflict: post {id} already imported from another export with different content"


class KnownPost(NamedTuple):
    """What an earlier import recorded about a post: enough to skip, update or refuse it without a query."""

    pk: int
    digest: str
    page_pk: int
    guid: str = ""
    post_type: str = ""
    post_date: str = ""
    source_file: str = ""


class RecordsMixin:
    """Skipping, refusing and recording posts by what earlier imports recorded about them."""

    def refuse_conflict(self, known: KnownPost, item: WXRItem, post_type: str, kind: str) -> bool:
        """Skip and report a post that claims an id already imported from another export with other content.

        Two exports saying they come from the same site would otherwise overwrite each other's items on every
        pass. What makes a post the same post: its GUID, its type and (once it is no longer a draft) its date,
        where each was recorded; everything else may change between exports of one site and is updated.
        """
        post_date = identity_date(item)
        differs = [
            name
            for name, recorded, now in (
                ("GUID", known.guid, item.guid[:500]),
                ("post type", known.post_type, post_type),
                ("date", known.post_date, post_date),
            )
            if recorded and now and recorded != now
        ]
        if not differs:
            return False
        self.summary.record(kind, "skipped", CONFLICT_REASON.format(id=item.post_id))
        title = plain_text(item.title) or "(untitled)"
        earlier = f" ({known.source_file})" if known.source_file and known.source_file != self.name else ""
        self.summary.notices.append(
            f"Post {item.post_id} “{title}” was not imported: post {item.post_id} of {self.site or 'this site'} "
            f"was already imported from another export{earlier} with a different {' and '.join(differs)}. "
            "Nothing was changed; import that post by hand if both are wanted."
        )
        return True

    def save_record(self, record: ImportedPost, item: WXRItem, post_type: str, digest: str) -> None:
        record.content_hash, record.guid, record.source_file = digest, item.guid[:500], self.name[:500]
        record.post_type, record.post_date = post_type[:20], identity_date(item)
        record.save()
        # Pages saved one by one here miss the reference index too (the run disables it), and a reader may
        # download a file only once the index says a public page uses it.
        index_imported_pages.enqueue([record.page_id])

    @staticmethod
    def known(record: ImportedPost) -> KnownPost:
        return KnownPost(
            record.pk,
            record.content_hash,
            record.page_id,
            record.guid,
            record.post_type,
            record.post_date,
            record.source_file,
        )

    def skip_reason(self, item: WXRItem, post_type: str) -> str:
        """Why a post is not imported ('' when it is): type, status, no id, or nothing in it."""
        if post_type not in ("post", "page") and post_type not in self.type_map:
            return f"post type {post_type}"
        if item.status not in IMPORTED_STATUSES:
            return f"status {item.status or '(none)'}"
        if not item.post_id.isdigit():
            return "no post id (nor a GUID or link to take one from)"
        if not item.title.strip() and not item.content.strip():
            return "empty post" if post_type != "page" else "empty page"
        return ""


def resolve_post_id(item: WXRItem) -> str | None:
    """Give a post without wp:post_id (a theme preview export) one, and say where it came from.

    '' when the post has its own id; 'guid' or 'link' when the GUID's `?p=N` (or `page_id`, `attachment_id`)
    or one in its link gives it; HASHED_ID when neither holds a number but there is a GUID (or else a link):
    a stable id from its hash (see DERIVED_POST_ID_BASE); None when there is nothing to take one from.
    """
    if item.post_id.isdigit():
        return ""
    for origin, url in (("guid", item.guid), ("link", item.link)):
        query = parse_qs(urlsplit(url).query)
        for name in POST_ID_PARAMETERS:
            value = query.get(name, [""])[0].strip()
            if value.isdigit() and int(value) > 0:
                item.post_id = str(int(value))
                return origin
    source = item.guid or item.link
    if not source:
        return None
    digest = hashlib.sha256(source.encode()).digest()[:DERIVED_POST_ID_BYTES]
    item.post_id = str(DERIVED_POST_ID_BASE + int.from_bytes(digest, "big"))
    return HASHED_ID


def identity_date(item: WXRItem) -> str:
    """The date that, with the GUID and type, tells one post from another with its id: none for a draft, whose
    date WordPress moves when it is published."""
    if item.status not in ("publish", "future", "private"):
        return ""
    for value in (item.post_date_gmt, item.post_date):
        if value and not value.startswith("0000"):
            return value.strip()[:19]
    return ""


def post_digest(item: WXRItem, model, categories: list, people: list, tags: list, media: list, *extra) -> str:
    data = [
        *extra,
        model._meta.label,
        item.title,
        item.content,
        item.excerpt,
        item.status,
        item.post_date_gmt,
        item.post_date,
        item.post_name,
        item.comment_status,
        item.post_password,
        [c.pk for c in categories],
        [p.pk for p in people],
        sorted(t.pk for t in tags),
        media,
    ]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()
