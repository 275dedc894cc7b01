"""Importing a WordPress WXR export into the press centre: people, categories, tags, attachments, items,
content pages (WordPress pages, keeping their hierarchy), comments and redirects.

`import_wxr_file` runs in one transaction: a file refused part-way (not well-formed, not WXR) leaves nothing
behind, and a dry run rolls everything back after counting. Re-importing is idempotent: every post is recorded
in ImportedPost by its site and WordPress id, with its GUID, type and date and a hash of what was imported, so an
unchanged post is skipped, a changed one updated, and one from another export claiming the same site and id
(another GUID, type or date) refused as a conflict rather than overwritten; comments are matched by (post,
WordPress comment id); attachments by WordPress id; people and categories by slug, tags by name.

The file is read twice: first for what internal links may name (every post's id, slug and permalink, and the
attachments to copy), then to import, so a link to a post further down the file still finds it.

Large exports: what the run needs to recognise earlier imports (records, comment ids, redirects, sibling slugs)
is read once at the start, new pages are written straight into the tree without a revision (a draft or a live
page, as WordPress had it), and their comments, records, links and redirects are written in batches.
"""

import hashlib
import html
import ipaddress
import json
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.models import Page, PageLogEntry, PageViewRestriction, ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from presscentre.comments.models import Comment
from presscentre.core import site_memo
from presscentre.importers.content import REMOTE_IMAGES, convert, host_forms, plain_text, split_more
from presscentre.importers.media import MediaLibrary, import_attachment
from presscentre.importers.models import ImportedComment, ImportedPost
from presscentre.importers.tasks import index_imported_pages
from presscentre.importers.wxr import WXRAuthor, WXRChannel, WXRComment, WXRItem, WXRTerm, iter_wxr
from presscentre.newsroom.models import (
    ITEM_TYPES,
    RESERVED_SLUGS,
    ArticlePage,
    Category,
    ContentPage,
    ItemCategory,
    ItemPerson,
    MediaAppearancePage,
    NewsItemPage,
    NewsItemTag,
    Person,
    PressCentrePage,
    PressCentreSettings,
    PressReleasePage,
    ReportPage,
)

PRESS_RELEASE_NAME = re.compile(r"^press[\s_-]*releases?$", re.IGNORECASE)
REPORT_NAME = re.compile(r"^reports?$", re.IGNORECASE)
WP_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
COMMENT_STATUSES = {
    "1": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
IMPORTED_STATUSES = {"publish", "future", "draft", "pending", "private"}
BATCH_SIZE = 200  # posts whose comments, records and links are written together
PUBLIC_STATUS = "publish"
# Theme preview exports leave out wp:post_id. A post id derived from the GUID lies far above any id WordPress
# hands out (an auto-increment column), fits ImportedPost's unsigned 64-bit key on every database, and is the
# same on every run, so importing the file again finds the same records.
DERIVED_POST_ID_BASE = 1 << 62
DERIVED_POST_ID_BYTES = 7
POST_ID_PARAMETERS = ("p", "page_id", "attachment_id")
HASHED_ID = "a hash of the GUID"
CONFLICT_REASON = "conflict: post {id} already imported from another export with different content"
HREF = re.compile(r'\bhref="(/(?!/)[^"]*)"')

ProgressCallback = Callable[[str, int, int], None]  # (stage, bytes read, file size)


@dataclass
class ImportSummary:
    """Counts of created, updated and skipped records per kind, with the reasons for skips."""

    path: str = ""
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)  # (kind, outcome) -> n
    reasons: Counter = field(default_factory=Counter)  # (kind, outcome, reason) -> n
    page_ids: list[int] = field(default_factory=list)
    stored_files: list = field(default_factory=list)  # (storage, name) copied in, removed if the run fails
    notices: list[str] = field(default_factory=list)  # what needs an editor's attention, one sentence each
    remote_images: int = 0  # images still loaded from the old site, which the site's own CSP blocks
    remote_image_items: int = 0

    def note_content(self, notes: Counter) -> None:
        """What converting one item's content left behind (content.convert's notes) joins the report."""
        if notes.get(REMOTE_IMAGES):
            self.remote_images += notes[REMOTE_IMAGES]
            self.remote_image_items += 1
        for reason, n in notes.items():
            if reason != REMOTE_IMAGES and n:
                self.reasons[("content", "note", reason)] += n

    def warnings(self) -> list[str]:
        """What readers would miss, said before the counts. Nothing is fetched from the old site (a server that
        fetches addresses named in an upload is a risk of its own), so the remedy is named instead."""
        if not self.remote_images:
            return []
        one = self.remote_images == 1
        images = f"{self.remote_images} image{'' if one else 's'}"
        items = f"{self.remote_image_items} item{'s' if self.remote_image_items != 1 else ''}"
        return [
            f"{images} in {items} still point{'s' if one else ''} at the old site. This site's Content Security "
            f"Policy (img-src 'self') blocks {'it' if one else 'them'}, so readers see broken images. Nothing was "
            "fetched: import again from the command line with --media-dir set to the old site's wp-content/uploads "
            f"folder to copy {'it' if one else 'them'}."
        ]

    def record(self, kind: str, outcome: str, reason: str = "") -> None:
        self.counts[(kind, outcome)] += 1
        if reason:
            self.reasons[(kind, outcome, reason)] += 1

    def count(self, kind: str, outcome: str) -> int:
        return self.counts[(kind, outcome)]

    def rows(self) -> list[tuple[str, int, int, int]]:
        kinds = sorted({kind for kind, _ in self.counts})
        return [
            (kind, self.count(kind, "created"), self.count(kind, "updated"), self.count(kind, "skipped"))
            for kind in kinds
        ]

    def reason_rows(self) -> list[tuple[str, str, str, int]]:
        return [(kind, outcome, reason, n) for (kind, outcome, reason), n in sorted(self.reasons.items())]

    def table(self) -> str:
        lines = [f"WARNING: {warning}" for warning in self.warnings()]
        lines += [f"{'kind':<12} {'created':>8} {'updated':>8} {'skipped':>8}"]
        lines += [f"{kind:<12} {c:>8} {u:>8} {s:>8}" for kind, c, u, s in self.rows()]
        for kind, outcome, reason, n in self.reason_rows():
            lines.append(f"  {kind} {outcome} ({reason}): {n}")
        lines += [f"NOTE: {notice}" for notice in self.notices]
        return "\n".join(lines)

    def remove_stored_files(self) -> None:
        """The run was rolled back: its copies in media storage belong to nothing now."""
        for storage, name in self.stored_files:
            storage.delete(name)
        self.stored_files.clear()


def parse_type_map(pairs: list[str]) -> dict[str, type[NewsItemPage]]:
    """['press=press-release', ...] to {slug: page class}; ValueError naming the bad pair."""
    mapping = {}
    for pair in pairs:
        slug, sep, type_slug = pair.partition("=")
        if not sep or not slug.strip():
            raise ValueError(f"--type-map expects SLUG=TYPE, got {pair!r}.")
        mapping[slug.strip()] = item_type(type_slug.strip())
    return mapping


def item_type(type_slug: str) -> type[NewsItemPage]:
    try:
        return ITEM_TYPES[type_slug]
    except KeyError:
        known = ", ".join(ITEM_TYPES)
        raise ValueError(f"Unknown item type {type_slug!r}; choose one of {known}.") from None


def import_wxr_file(
    path: str | Path,
    *,
    parent: PressCentrePage,
    default_type: type[NewsItemPage] = ArticlePage,
    type_map: dict[str, type[NewsItemPage]] | None = None,
    media_dir: str | Path | None = None,
    dry_run: bool = False,
    at: datetime,
    progress: ProgressCallback | None = None,
    name: str = "",
) -> ImportSummary:
    """Import one WXR file under `parent`. Raises WXRError (nothing imported) for a refused file.

    `name` is how the file is called in messages (an upload's own name rather than its temporary path).
    Safe to run again: a second run over the same file changes nothing.
    """
    importer = _Importer(
        path=Path(path),
        parent=parent,
        default_type=default_type,
        type_map=type_map or {},
        media_dir=Path(media_dir) if media_dir else None,
        at=at,
        dry_run=dry_run,
        progress=progress,
        name=name or str(path),
    )
    try:
        with transaction.atomic(), disable_reference_index_auto_update():
            importer.run()
            if dry_run:
                transaction.set_rollback(True)
    except BaseException:
        importer.summary.remove_stored_files()
        raise
    changed = sum(
        importer.summary.count(kind, outcome) for kind in ("item", "page") for outcome in ("created", "updated")
    )
    if not dry_run and changed:
        _purge_page_cache()
    return importer.summary


def import_uploaded_file(
    upload: UploadedFile,
    *,
    parent: PressCentrePage,
    default_type: type[NewsItemPage] = ArticlePage,
    dry_run: bool = False,
    at: datetime,
) -> ImportSummary:
    """Import a WXR file uploaded through the admin, named by its own name in messages.

    Django streams a large upload to a temporary file: it is parsed from there, never read into memory. A small
    upload held in memory is written to a temporary file first. Raises WXRError (nothing imported) if refused.
    """
    options = {"parent": parent, "default_type": default_type, "dry_run": dry_run, "at": at, "name": upload.name}
    if hasattr(upload, "temporary_file_path"):
        return import_wxr_file(upload.temporary_file_path(), **options)
    with tempfile.NamedTemporaryFile(suffix=".xml") as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        return import_wxr_file(copy.name, **options)


def _purge_page_cache() -> None:
    # New pages and view restrictions are written without Wagtail's signals: tell the caches here.
    site_memo.bump()
    if apps.is_installed("presscentre.pagecache"):
        from presscentre.pagecache import services as pagecache

        if hasattr(pagecache, "purge_site"):
            transaction.on_commit(pagecache.purge_site)


@dataclass
class _NewPost:
    """A page just written whose records, links, tags and view restriction are waiting for the batch."""

    page: NewsItemPage
    item: WXRItem
    digest: str
    categories: list
    people: list
    tags: list
    source: str


class _Known(NamedTuple):
    """What an earlier import recorded about a post: enough to skip, update or refuse it without a query."""

    pk: int
    digest: str
    page_pk: int
    guid: str = ""
    post_type: str = ""
    post_date: str = ""
    source_file: str = ""


@dataclass
class _Target:
    """A post, page or attachment of the file, as the internal links of other posts may name it."""

    post_type: str
    slug: str
    path: str  # its permalink's path and query as WordPress wrote it; '' if it has none
    public: bool
    parent: int | None
    imported: bool


class _Importer:
    def __init__(self, *, path, parent, default_type, type_map, media_dir, at, dry_run, progress, name):
        self.path = path
        self.name = name
        self.parent = parent
        self.default_type = default_type
        self.type_map = type_map
        self.media_dir = media_dir
        self.at = at
        self.progress = progress
        self.summary = ImportSummary(path=name, dry_run=dry_run)
        self.site = ""
        self.site_record = parent.get_site()
        self.zone = self.site_zone()
        self.people_by_login: dict[str, Person] = {}
        self.people: dict[str, Person | None] = {}
        self.categories: dict[str, Category] = {}
        self.tags: dict[str, Tag] = {}
        self.seen_post_ids: Counter = Counter()  # wp post id -> occurrences so far in this file
        self.media = MediaLibrary()
        self.old_hosts: frozenset[str] = frozenset()
        self.records: dict[tuple[str, int], _Known] = {}  # (source key, wp post id) -> what was imported
        self.known_comments: dict[int, dict[int, int]] = defaultdict(dict)  # record pk -> {wp id: comment pk}
        self.redirect_paths: set[str] = set()
        self.sibling_slugs: set[str] = set()
        self.next_step = 0
        self.new_posts: list[_NewPost] = []
        self.comments: list[tuple[int | None, NewsItemPage, WXRComment]] = []  # (record pk, page, comment)
        self.redirects: list[Redirect] = []
        self.pending_pages: list[tuple[str, WXRItem]] = []  # WordPress pages (source key, page), placed last
        self.derived_ids: set[int] = set()  # post ids made up from a GUID: WordPress never answered /?p= for them
        # Every post, page and attachment of the file, read first, so links to ones further down resolve too.
        self.targets: dict[int, _Target] = {}
        self.target_by_path: dict[str, int] = {}
        self.target_by_slug: dict[str, int | None] = {}  # None: two posts share the slug, so it names neither
        self.attachment_urls: dict[int, str] = {}

    def site_zone(self) -> ZoneInfo:
        """The site's display zone, in which WordPress's local dates are read when a GMT date is missing."""
        if self.site_record is None:
            return timezone.get_default_timezone()
        return PressCentreSettings.for_site(self.site_record).zone

    def report(self, stage: str):
        if self.progress is None:
            return None
        size = self.path.stat().st_size
        return lambda position: self.progress(stage, position, size)

    def run(self) -> None:
        self.scan()
        for record in iter_wxr(self.path, progress=self.report("importing"), name=self.name):
            if isinstance(record, WXRChannel):
                self.start(record)
            elif isinstance(record, WXRAuthor):
                self.import_author(record)
            elif isinstance(record, WXRTerm):
                self.import_term(record)
            elif isinstance(record, WXRItem):
                self.import_item(record)
        self.flush()
        self.import_pages()
        self.redirect_attachment_pages()
        self.flush()

    def start(self, channel: WXRChannel) -> None:
        """Read once what earlier imports from this site left, so each post needs no lookups of its own."""
        self.site = channel.site[:300]
        self.old_hosts = frozenset().union(
            *(host_forms(url) for url in (channel.link, channel.base_site_url, channel.base_blog_url))
        )
        self.media = MediaLibrary.load(self.site)
        from_site = Q(source_site=self.site) | Q(source_site__startswith=f"{self.site}#")
        for row in ImportedPost.objects.filter(from_site).values_list(
            "pk",
            "source_site",
            "wp_post_id",
            "content_hash",
            "page_id",
            "guid",
            "post_type",
            "post_date",
            "source_file",
        ):
            record_pk, source, wp_post_id, digest, page_pk, *identity = row
            self.records[(source, wp_post_id)] = _Known(record_pk, digest, page_pk, *identity)
        comments = ImportedComment.objects.filter(
            Q(post__source_site=self.site) | Q(post__source_site__startswith=f"{self.site}#")
        )
        for post_pk, wp_comment_id, comment_pk in comments.values_list("post_id", "wp_comment_id", "comment_id"):
            self.known_comments[post_pk][wp_comment_id] = comment_pk
        self.redirect_paths = set(Redirect.objects.filter(site=self.site_record).values_list("old_path", flat=True))
        children = Page.objects.filter(path__startswith=self.parent.path, depth=self.parent.depth + 1)
        self.sibling_slugs = set(children.values_list("slug", flat=True))
        last = children.order_by("-path").values_list("path", flat=True).first()
        self.next_step = Page._str2int(last[-Page.steplen :]) + 1 if last else 1

    # The first pass: what links may point at, and attachments

    def scan(self) -> None:
        """Read the file once before importing: every post's id, slug and permalink, so internal links resolve
        wherever their target sits in the file, and (with --media-dir) the attachments, copied before any post
        so posts can point at them."""
        attachments: list[WXRItem] = []
        site = ""
        stage = "reading attachments" if self.media_dir is not None else "reading links"
        for record in iter_wxr(self.path, progress=self.report(stage), name=self.name):
            if isinstance(record, WXRChannel):
                site = record.site[:300]
            elif isinstance(record, WXRItem):
                post_type = record.post_type or "post"
                if _resolve_post_id(record) is not None:
                    self.index_target(record, post_type)
                if post_type == "attachment" and record.post_id.isdigit():
                    attachments.append(record)
        if self.media_dir is not None:
            # The whole file has been read and found well-formed before anything is copied.
            self.import_attachments(site, attachments)

    def index_target(self, item: WXRItem, post_type: str) -> None:
        wp_post_id = int(item.post_id)
        imported = post_type == "attachment" or (
            (post_type in ("post", "page") or post_type in self.type_map) and item.status in IMPORTED_STATUSES
        )
        path = _permalink_path(item)
        parts = urlsplit(item.link)
        target = _Target(
            post_type=post_type,
            slug=unquote(item.post_name).lower(),
            path=(parts.path + (f"?{parts.query}" if parts.query else "")) if path else "",
            public=item.status == PUBLIC_STATUS and not item.post_password,
            parent=int(item.post_parent) if item.post_parent.isdigit() and item.post_parent != "0" else None,
            imported=imported,
        )
        self.targets.setdefault(wp_post_id, target)
        if post_type == "attachment":
            self.attachment_urls.setdefault(wp_post_id, item.attachment_url)
        if path:
            self.target_by_path.setdefault(path, wp_post_id)
        if target.slug and post_type != "attachment" and imported:
            known = self.target_by_slug.get(target.slug, wp_post_id)
            self.target_by_slug[target.slug] = wp_post_id if known == wp_post_id else None

    def import_attachments(self, site: str, attachments: list[WXRItem]) -> None:
        library = MediaLibrary.load(site)
        for attachment in attachments:
            kind, outcome, reason, record = import_attachment(
                attachment,
                media_dir=self.media_dir,
                source_site=site,
                library=library,
                dry_run=self.summary.dry_run,
            )
            self.summary.record(kind, outcome, reason)
            if record is not None:
                media = record.image or record.document
                self.summary.stored_files.append((media.file.storage, media.file.name))

    # People, categories and tags

    def import_author(self, author: WXRAuthor) -> None:
        if not author.login:
            self.summary.record("person", "skipped", "no login")
            return
        name = plain_text(author.display_name) or plain_text(f"{author.first_name} {author.last_name}") or author.login
        person = self.ensure_person(slugify(author.login, allow_unicode=True) or author.id, name)
        if person is not None:
            self.people_by_login[author.login] = person

    def ensure_person(self, slug: str, name: str) -> Person | None:
        slug = slug[:150]
        if slug in self.people:
            return self.people[slug]
        if not slug:
            self.summary.record("person", "skipped", "no usable slug")
            return None
        person = Person.objects.filter(slug=slug).first()
        if person is not None:
            self.summary.record("person", "skipped", "already present")
        else:
            person = Person.objects.create(slug=slug, name=plain_text(name)[:150] or slug)
            self.summary.record("person", "created")
        self.people[slug] = person
        return person

    def import_term(self, term: WXRTerm) -> None:
        if term.taxonomy == "category":
            self.ensure_category(term.slug, term.name, parent=term.parent)
        elif term.taxonomy == "author":
            self.ensure_person(_coauthor_slug(term.slug), term.name)
        elif term.taxonomy == "post_tag":
            self.ensure_tag(term.name or term.slug)
        else:
            self.summary.record("term", "skipped", f"taxonomy {term.taxonomy or '(none)'} not imported")

    def ensure_category(self, slug: str, name: str, *, parent: str = "") -> Category | None:
        """The category with this slug, created if new. WordPress tells categories apart by slug alone, so two
        that share a name stay two; the second's name gets its slug added, as category names are unique here."""
        name = plain_text(name)[:100]
        slug = slugify(unquote(slug), allow_unicode=True)[:100] or slugify(name, allow_unicode=True)[:100]
        name = name or slug
        if not slug:
            self.summary.record("category", "skipped", "no usable slug")
            return None
        if slug in self.categories:
            return self.categories[slug]
        category = Category.objects.filter(slug=slug).first()
        if category is not None:
            self.summary.record("category", "skipped", "already present")
        else:
            if Category.objects.filter(name=name).exists():
                name = _distinct_name(name, slug)
                self.summary.record("category", "note", "name shared with another category: its slug added")
            category = Category.objects.create(slug=slug, name=name)
            self.summary.record("category", "created")
        if parent:
            self.summary.record("category", "note", "hierarchy not kept (categories are flat)")
        self.categories[slug] = category
        return category

    def ensure_tag(self, name: str) -> Tag | None:
        name = re.sub(r"\s+", " ", html.unescape(name)).strip()[:100]
        if not name:
            self.summary.record("tag", "skipped", "no name")
            return None
        if name.lower() in self.tags:
            return self.tags[name.lower()]
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is not None:
            self.summary.record("tag", "skipped", "already present")
        else:
            tag = Tag.objects.create(name=name)
            self.summary.record("tag", "created")
        self.tags[name.lower()] = tag
        return tag

    # Items

    def import_item(self, item: WXRItem) -> None:
        post_type = item.post_type or "post"
        if post_type == "attachment" and post_type not in self.type_map:
            if self.media_dir is None:
                self.summary.record("attachment", "skipped", "no --media-dir: left as links")
            return  # with --media-dir, attachments were counted in their own pass
        is_page = post_type == "page" and post_type not in self.type_map
        kind = "page" if is_page else "item"
        id_origin = _resolve_post_id(item)
        reason = self.skip_reason(item, post_type)
        if reason:
            self.summary.record(kind, "skipped", reason)
            return
        if id_origin:
            self.summary.record(kind, "note", f"post id from {id_origin}")
            if id_origin == HASHED_ID:
                self.derived_ids.add(int(item.post_id))
        wp_post_id = int(item.post_id)
        self.seen_post_ids[wp_post_id] += 1
        # Some exports reuse a post id for different posts; WordPress gives each its own post, and so do we,
        # keyed by occurrence ("site#2") so that importing the file again finds each one.
        source = self.site if self.seen_post_ids[wp_post_id] == 1 else f"{self.site}#{self.seen_post_ids[wp_post_id]}"
        if source != self.site:
            self.summary.record(kind, "note", f"post id repeated in the file: imported as its own {kind}")
        if is_page:
            self.pending_pages.append((source[:300], item))  # placed at the end, when every parent can be found
            return
        known = self.records.get((source, wp_post_id))
        if known is not None and self.refuse_conflict(known, item, post_type, kind):
            return
        if item.is_sticky == "1":
            self.report_sticky(item)
        model = self.type_map.get(post_type) or self.choose_type(item)
        categories = list(
            {
                c.pk: c
                for c in (self.ensure_category(t.slug, t.name) for t in item.terms if t.domain == "category")
                if c
            }.values()
        )  # a category named twice on a post (or by two of its terms' spellings) links it once
        people = self.item_people(item)
        tags = list(
            {
                t.pk: t for t in (self.ensure_tag(t.name or t.slug) for t in item.terms if t.domain == "post_tag") if t
            }.values()
        )
        digest = _hash(item, model, categories, people, tags, self.media.signature(item.content))
        if known is not None and known.digest == digest:
            self.summary.record("item", "skipped", "unchanged")
            self.summary.page_ids.append(known.page_pk)
            # The page is read only if a new comment or redirect needs it; otherwise this costs no query.
            page = _LazyPage(known.page_pk)
            self.queue_comments(known.pk, page, item)
            self.queue_redirects(page, item)
        elif known is not None:
            record = ImportedPost.objects.get(pk=known.pk)
            page = record.page.specific
            self.update_page(page, item, self.page_values(item), categories, people, tags)
            self.save_record(record, item, post_type, digest)
            self.records[(source, wp_post_id)] = self.known(record)
            self.summary.record("item", "updated")
            self.summary.page_ids.append(page.pk)
            self.queue_comments(record.pk, page, item)
            self.queue_redirects(page, item)
        else:
            page = self.create_page(model, item, self.page_values(item))
            self.new_posts.append(_NewPost(page, item, digest, categories, people, tags, source[:300]))
            self.summary.record("item", "created")
            self.queue_comments(None, page, item)
            self.queue_redirects(page, item)
        if len(self.new_posts) >= BATCH_SIZE or len(self.comments) >= BATCH_SIZE * 5:
            self.flush()

    def refuse_conflict(self, known: _Known, item: WXRItem, post_type: str, kind: str) -> bool:
        """Skip and report a post that claims an id already imported from another export with other content.

        Two exports saying they come from the same site would otherwise overwrite each other's items on every
        pass. What makes a post the same post: its GUID, its type and (once it is no longer a draft) its date,
        where each was recorded; everything else may change between exports of one site and is updated.
        """
        post_date = _identity_date(item)
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

    def report_sticky(self, item: WXRItem) -> None:
        """WordPress shows sticky posts first; items here are listed by date alone, so the editors are told."""
        self.summary.record("item", "note", "sticky post: reported, not featured")
        self.summary.notices.append(
            f"Post {item.post_id} “{plain_text(item.title) or '(untitled)'}” was sticky in WordPress. The press "
            "centre lists items by date and has no featured items, so it is listed in date order."
        )

    def save_record(self, record: ImportedPost, item: WXRItem, post_type: str, digest: str) -> None:
        record.content_hash, record.guid, record.source_file = digest, item.guid[:500], self.name[:500]
        record.post_type, record.post_date = post_type[:20], _identity_date(item)
        record.save()
        # Pages saved one by one here miss the reference index too (the run disables it), and a reader may
        # download a file only once the index says a public page uses it.
        index_imported_pages.enqueue([record.page_id])

    @staticmethod
    def known(record: ImportedPost) -> _Known:
        return _Known(
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

    def choose_type(self, item: WXRItem) -> type[NewsItemPage]:
        terms = [t for t in item.terms if t.domain == "category"]
        for term in terms:
            if term.slug in self.type_map:
                return self.type_map[term.slug]
        for term in terms:
            name = html.unescape(term.name).strip()
            if PRESS_RELEASE_NAME.match(name) or PRESS_RELEASE_NAME.match(term.slug):
                return PressReleasePage
            if REPORT_NAME.match(name) or REPORT_NAME.match(term.slug):
                return ReportPage
        return self.default_type

    def item_people(self, item: WXRItem) -> list[Person]:
        people = []
        for term in item.terms:
            if term.domain == "author":
                person = self.ensure_person(_coauthor_slug(term.slug), term.name)
                if person is not None and person not in people:
                    people.append(person)
        if not people and item.creator:
            person = self.people_by_login.get(item.creator) or self.ensure_person(
                slugify(item.creator, allow_unicode=True), item.creator
            )
            if person is not None:
                people.append(person)
        return people

    def page_values(self, item: WXRItem) -> dict:
        published_at = self.parse_date(item.post_date_gmt, item.post_date) or self.at
        before_more, _content = split_more(item.content)
        return {
            **self.content_values(item),
            "published_at": published_at,
            "summary": plain_text(item.excerpt) or plain_text(before_more),
            "comments_open": item.comment_status == "open",
        }

    def content_values(self, item: WXRItem) -> dict:
        """The title and body every imported page has.

        WordPress prints a title's markup as markup (`Title <em>With</em> Markup` shows "Title With Markup"), and
        a title here is plain text: the tags go, entities are decoded once, and `&lt;b&gt;` stays the text `<b>`.
        """
        title = plain_text(item.title)[:255] or "(untitled)"
        _before_more, content = split_more(item.content)
        notes = Counter()
        body = convert(content, self.media.lookup if self.media else None, self.old_hosts, notes=notes)
        self.summary.note_content(notes)
        return {"title": title, "body": _map_strings(body, self.resolve_links)}

    # Internal links

    def resolve_links(self, value: str) -> str:
        """Old-site links (already made root-relative) pointed at where their target is now."""
        if 'href="/' not in value:
            return value
        return HREF.sub(self.resolve_href, value)

    def resolve_href(self, match: re.Match) -> str:
        """One link's new form: unchanged unless the file names a public target for it.

        An old address may be a permalink whose date is not the post's (the post was re-dated after the link was
        written), `?p=`, `?page_id=` or `?attachment_id=`, or an attachment's page. Posts and pages are found by
        id, by permalink, or by the slug at the end of the path, and the link goes to their old permalink (a
        redirect to the new page, made by this import); an attachment's page goes to its imported file, else
        to the post it belongs to, else to its original file. Targets the public may not see keep the link.
        """
        old = html.unescape(match.group(1))
        parts = urlsplit(old)
        query = parse_qs(parts.query)
        wp_post_id = next(
            (int(query[name][0]) for name in POST_ID_PARAMETERS if query.get(name, [""])[0].isdigit()), None
        )
        if wp_post_id is None:
            wp_post_id = self.target_by_path.get(
                Redirect.normalise_path(parts.path + (f"?{parts.query}" * bool(parts.query)))
            )
        if wp_post_id is None and not parts.query:
            # Only a permalink's shape (/slug/, /2019/03/05/slug/, /2019/03/slug/) is read as naming a post by its
            # slug: /category/news/ names a category, whatever post is called "news".
            *dates, slug = unquote(parts.path).strip("/").split("/")
            if slug and all(part.isdigit() for part in dates):
                wp_post_id = self.target_by_slug.get(slug.lower())
        new = self.link_to(wp_post_id)
        if new is None:
            return match.group(0)
        if new.startswith("linktype="):
            return new
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        return f'href="{html.escape(new + fragment)}"'

    def link_to(self, wp_post_id: int | None, *, depth: int = 0) -> str | None:
        target = self.targets.get(wp_post_id) if wp_post_id is not None else None
        if target is None or depth > 1:
            return None
        if target.post_type == "attachment":
            found = self.media.lookup("", str(wp_post_id)) if self.media else None
            if found is not None and found.kind == "document":
                return f'linktype="document" id="{found.pk}"'  # Wagtail's stored form of a document link
            if found is not None and found.url:
                return found.url
            return self.link_to(target.parent, depth=depth + 1) or self.original_file(wp_post_id)
        if not (target.public and target.imported):
            return None
        return target.path or f"/?p={wp_post_id}"

    def redirect_attachment_pages(self) -> None:
        """Old links to an attachment's own page (its <link>) go to its imported file, else to the public post it
        belongs to; with neither, no redirect is made (the address stays a 404, revealing nothing)."""
        for wp_post_id, target in self.targets.items():
            if target.post_type != "attachment" or not target.path:
                continue
            old_path = Redirect.normalise_path(target.path)
            if old_path.startswith("/?"):
                continue  # the press centre itself answers its root, whatever the query: links were rewritten
            if old_path in self.redirect_paths:
                self.summary.record("redirect", "skipped", "already present")
                continue
            redirect = Redirect(old_path=old_path, site=self.site_record, is_permanent=True)
            found = self.media.lookup("", str(wp_post_id)) if self.media else None
            parent = self.targets.get(target.parent) if target.parent else None
            known = self.records.get((self.site, target.parent)) if target.parent else None
            if found is not None and found.kind == "document":
                document = get_document_model().objects.filter(pk=found.pk).first()
                redirect.redirect_link = document.url if document else ""
            elif found is not None and found.url:
                redirect.redirect_link = found.url
            elif parent is not None and parent.public and parent.imported and known is not None:
                redirect.redirect_page_id = known.page_pk
            if redirect.redirect_link or redirect.redirect_page_id:
                self.redirect_paths.add(old_path)
                self.redirects.append(redirect)
                self.summary.record("redirect", "created")

    def original_file(self, wp_post_id: int) -> str | None:
        url = self.attachment_urls.get(wp_post_id, "")
        return url if urlsplit(url).scheme in ("http", "https") else None

    def parse_date(self, gmt: str, local: str) -> datetime | None:
        """A WordPress date: the GMT field, else the local one read in the site's zone; None if neither."""
        for value, is_gmt in ((gmt, True), (local, False)):
            if not value or value.startswith("0000"):
                continue
            try:
                parsed = datetime.strptime(value, WP_DATE_FORMAT)  # noqa: DTZ007 - zone applied below
            except ValueError:
                continue
            if is_gmt:
                return parsed.replace(tzinfo=UTC)
            return timezone.make_aware(parsed, self.zone)
        return None

    def unique_slug(self, item: WXRItem, title: str, siblings: set[str] | None = None) -> str:
        siblings = self.sibling_slugs if siblings is None else siblings
        base = slugify(unquote(item.post_name), allow_unicode=True) or slugify(title, allow_unicode=True)
        base = (base or f"post-{item.post_id}")[:240]
        if base in RESERVED_SLUGS:
            base = f"{base}-{item.post_id}"
        slug, n = base, 2
        while slug in siblings:
            slug, n = f"{base}-{n}", n + 1
        return slug

    def create_page(self, model, item: WXRItem, values: dict) -> NewsItemPage:
        """A new page placed in the tree (path, URL path, locale) but not yet written: `write_new_posts` does that.

        Live for publish and private, a draft for draft and pending; future ones are scheduled once written.
        """
        parent = self.parent
        page = model(slug=self.unique_slug(item, values["title"]), draft_title=values["title"], **values)
        if model is MediaAppearancePage:
            page.outlet = "(imported from WordPress)"
        page.depth = parent.depth + 1
        page.path = Page._get_path(parent.path, page.depth, self.next_step)
        page.locale_id = parent.locale_id
        page.set_url_path(parent)
        page.live = item.status in ("publish", "private")
        page.has_unpublished_changes = not page.live
        if page.live:
            page.first_published_at = page.last_published_at = values["published_at"]
        if item.status == "future" and page.published_at > self.at:
            page.go_live_at = page.published_at
        self.next_step += 1
        self.sibling_slugs.add(page.slug)
        return page

    def update_page(self, page, item, values, categories, people, tags) -> None:
        for name, value in values.items():
            setattr(page, name, value)
        if item.post_name:
            self.sibling_slugs.discard(page.slug)
            page.slug = self.unique_slug(item, values["title"])
            self.sibling_slugs.add(page.slug)
        page.category_links = [ItemCategory(category=c, sort_order=i) for i, c in enumerate(categories)]
        page.person_links = [ItemPerson(person=p, sort_order=i) for i, p in enumerate(people)]
        page.tagged_items = [NewsItemTag(tag=t) for t in tags]
        _save_in_wordpress_state(page, item, published_at=page.published_at, now=self.at)

    # WordPress pages

    def import_pages(self) -> None:
        """Import the file's WordPress pages as content pages, each under its parent page (or the press centre).

        Run after the posts, so a page's parent is found wherever it sits in the file: parents are placed
        before their children, and a page whose parent is not a page of this site goes under the press centre.
        """
        pending = {(source, int(item.post_id)): item for source, item in self.pending_pages}
        self.pending_pages = []
        while pending:
            ready = [key for key, item in pending.items() if (self.site, _parent_id(item)) not in pending]
            for source, wp_post_id in ready or [next(iter(pending))]:  # none ready: a loop of parents, cut here
                self.import_page(source, pending.pop((source, wp_post_id)))

    def parent_for(self, item: WXRItem) -> Page:
        """The content page a WordPress page's parent became, else the press centre."""
        parent_id = _parent_id(item)
        known = self.records.get((self.site, parent_id)) if parent_id else None
        if known is not None:
            parent = Page.objects.filter(pk=known.page_pk).first()
            if parent is not None and parent.specific_class is ContentPage:
                return parent.specific
        if parent_id:
            self.summary.record("page", "note", "parent page not imported: placed under the press centre")
        return self.parent

    def import_page(self, source: str, item: WXRItem) -> None:
        wp_post_id = int(item.post_id)
        known = self.records.get((source, wp_post_id))
        if known is not None and self.refuse_conflict(known, item, "page", "page"):
            return
        parent = self.parent_for(item)
        digest = _hash(item, ContentPage, [], [], [], self.media.signature(item.content), parent.pk)
        if known is not None and known.digest == digest:
            self.summary.record("page", "skipped", "unchanged")
            self.summary.page_ids.append(known.page_pk)
            page = _LazyPage(known.page_pk)
        elif known is not None:
            record = ImportedPost.objects.get(pk=known.pk)
            page = record.page.specific
            if not isinstance(page, ContentPage):
                self.summary.record("page", "skipped", "imported earlier as an item: left as it is")
                return
            self.update_content_page(page, parent, item)
            self.save_record(record, item, "page", digest)
            self.records[(source, wp_post_id)] = self.known(record)
            self.summary.record("page", "updated")
            self.summary.page_ids.append(page.pk)
        else:
            page = self.create_content_page(parent, item)
            record = ImportedPost(source_site=source, wp_post_id=wp_post_id, page=page, source_file=self.name[:500])
            self.save_record(record, item, "page", digest)
            self.records[(source, wp_post_id)] = self.known(record)
            self.summary.record("page", "created")
            self.summary.page_ids.append(page.pk)
        for _comment in item.comments:
            self.summary.record("comment", "skipped", "on a page (pages take no comments)")
        self.queue_redirects(page, item)

    def create_content_page(self, parent: Page, item: WXRItem) -> ContentPage:
        """A new content page under `parent`: live for publish and private, a draft for draft and pending,
        scheduled for future. Pages are few: each is written on its own, after every post."""
        values = self.content_values(item)
        siblings = (
            self.sibling_slugs
            if parent.pk == self.parent.pk
            else set(parent.get_children().values_list("slug", flat=True))
        )
        published_at = self.parse_date(item.post_date_gmt, item.post_date) or self.at
        page = ContentPage(
            slug=self.unique_slug(item, values["title"], siblings), draft_title=values["title"], **values
        )
        page.live = item.status in ("publish", "private")
        page.has_unpublished_changes = not page.live
        if page.live:
            page.first_published_at = page.last_published_at = published_at
        _add_child(parent, page)
        siblings.add(page.slug)
        if item.status == "future":
            if published_at > self.at:
                page.go_live_at = published_at
            page.save_revision(clean=False).publish()  # scheduled, or shown now if its date has passed
        restriction = _restriction(page, item)
        if restriction is not None:
            restriction.save()
        PageLogEntry.objects.create(
            page_id=page.pk,
            content_type_id=page.content_type_id,
            label=page.title[:255],
            action="wagtail.create",
            timestamp=self.at,
            content_changed=True,
        )
        # Saved one by one, so Wagtail's save signal has indexed it for search; the import holds back the
        # reference index (what a body links to), which is written here.
        ReferenceIndex.create_or_update_for_object(page)
        return page

    def update_content_page(self, page: ContentPage, parent: Page, item: WXRItem) -> None:
        values = self.content_values(item)
        if page.get_parent().pk != parent.pk:
            page.move(parent, pos="last-child")
            page.refresh_from_db()
        for name, value in values.items():
            setattr(page, name, value)
        if item.post_name:
            siblings = set(parent.get_children().exclude(pk=page.pk).values_list("slug", flat=True))
            page.slug = self.unique_slug(item, values["title"], siblings)
        published_at = self.parse_date(item.post_date_gmt, item.post_date) or self.at
        _save_in_wordpress_state(page, item, published_at=published_at, now=self.at)
        ReferenceIndex.create_or_update_for_object(page)

    # Comments and redirects, written per batch

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
                self.comments.append((record_pk, _real(page), wp_comment))
                self.summary.record("comment", "created")

    def queue_redirects(self, page, item: WXRItem) -> None:
        for old_path in _old_paths(item, by_id=int(item.post_id) not in self.derived_ids):
            if old_path in self.redirect_paths:
                self.summary.record("redirect", "skipped", "already present")
                continue
            page = _real(page)
            if old_path == Redirect.normalise_path(page.url_path[len(self.parent.url_path) - 1 :]):
                continue
            self.redirect_paths.add(old_path)
            self.redirects.append(
                Redirect(old_path=old_path, site=self.site_record, redirect_page=page, is_permanent=True)
            )
            self.summary.record("redirect", "created")

    def flush(self) -> None:
        """Write what the last batch of posts queued: records, links, tags, restrictions, comments, redirects."""
        new_posts, self.new_posts = self.new_posts, []
        if new_posts:
            self.write_new_posts(new_posts)
        self.write_comments()
        if self.redirects:
            Redirect.objects.bulk_create(self.redirects)
            self.redirects = []

    def write_new_posts(self, new_posts: list[_NewPost]) -> None:
        """Insert a batch of new pages and everything hanging off them, a few statements per table.

        Wagtail's add_child and publish would cost dozens of queries per page. What they do that matters here
        (tree path, URL path, parent's child count, creation log, search index) is done for the whole batch;
        future posts then go through Wagtail's own publish, which schedules them.
        """
        pages = [post.page for post in new_posts]
        _insert_pages(pages)
        self.summary.page_ids.extend(page.pk for page in pages)
        for post in new_posts:
            if post.item.status == "future":
                post.page.save_revision(clean=False).publish()  # scheduled, or shown now if its date has passed
        records = ImportedPost.objects.bulk_create(
            ImportedPost(
                source_site=post.source,
                wp_post_id=int(post.item.post_id),
                guid=post.item.guid[:500],
                post_type=(post.item.post_type or "post")[:20],
                post_date=_identity_date(post.item),
                page=post.page,
                content_hash=post.digest,
                source_file=self.name[:500],
            )
            for post in new_posts
        )
        by_page = {}
        for post, record in zip(new_posts, records, strict=True):
            self.records[(post.source, record.wp_post_id)] = self.known(record)
            by_page[post.page.pk] = record.pk
        self.comments = [(pk or by_page.get(page.pk), page, c) for pk, page, c in self.comments]
        ItemCategory.objects.bulk_create(
            ItemCategory(item=p.page, category=c, sort_order=i) for p in new_posts for i, c in enumerate(p.categories)
        )
        ItemPerson.objects.bulk_create(
            ItemPerson(item=p.page, person=person, sort_order=i) for p in new_posts for i, person in enumerate(p.people)
        )
        NewsItemTag.objects.bulk_create(NewsItemTag(content_object=p.page, tag=t) for p in new_posts for t in p.tags)
        PageViewRestriction.objects.bulk_create(
            r for r in (_restriction(p.page, p.item) for p in new_posts) if r is not None
        )
        Page.objects.filter(pk=self.parent.pk).update(numchild=F("numchild") + len(new_posts))
        self.parent.numchild += len(new_posts)
        PageLogEntry.objects.bulk_create(
            PageLogEntry(
                page_id=page.pk,
                content_type_id=page.content_type_id,
                label=page.title[:255],
                action="wagtail.create",
                timestamp=self.at,
                content_changed=True,
            )
            for page in pages
        )
        # Indexing costs more than the import itself: the worker does it, a batch per task.
        index_imported_pages.enqueue([page.pk for page in pages])

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


class _LazyPage:
    """An imported page known by id, read from the database only if something needs it."""

    def __init__(self, pk: int):
        self.pk = pk
        self.page: NewsItemPage | None = None

    def get(self) -> Page:
        if self.page is None:
            self.page = Page.objects.get(pk=self.pk).specific
        return self.page


def _real(page) -> NewsItemPage:
    return page.get() if isinstance(page, _LazyPage) else page


def _insert_pages(pages: list[NewsItemPage]) -> None:
    """Insert pages of any item type in one statement per table of their multi-table inheritance chain.

    Django's bulk_create refuses multi-table models, so each table's own columns are inserted with the manager's
    `_insert` (what Model.save uses per row), the page ids coming back from the first table.
    """
    rows = Page._base_manager._insert(
        pages,
        fields=[f for f in Page._meta.local_concrete_fields if not f.primary_key],
        returning_fields=[Page._meta.pk],
    )
    for page, (pk,) in zip(pages, rows, strict=True):
        page.id = pk
        for model in type(page)._meta.get_parent_list():
            for link in model._meta.parents.values():
                setattr(page, link.attname, pk)
        for link in type(page)._meta.parents.values():
            setattr(page, link.attname, pk)
    models = {model for page in pages for model in type(page)._meta.get_parent_list() + [type(page)]}
    for model in sorted(models - {Page}, key=lambda m: len(m._meta.get_parent_list())):
        own = [page for page in pages if isinstance(page, model)]
        model._base_manager._insert(own, fields=model._meta.local_concrete_fields)
    for page in pages:
        page._state.adding = False
        page._state.db = "default"


def _add_child(parent: Page, page: Page) -> None:
    """Place `page` last under `parent`, as treebeard's add_child does, but saved without Wagtail's validation
    of live pages: imported content is kept as WordPress had it (as for items), not refused part-way."""
    last = parent.get_last_child()
    page.depth = parent.depth + 1
    page.path = last._inc_path() if last is not None else Page._get_path(parent.path, page.depth, 1)
    page.locale_id = parent.locale_id
    page.save(clean=False)
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + 1)
    parent.numchild += 1


def _save_in_wordpress_state(page, item: WXRItem, *, published_at: datetime, now: datetime) -> None:
    """Save an updated page and publish it, schedule it or leave it a draft as WordPress had it, with the same
    login or password restriction."""
    page.live = False
    page.go_live_at = published_at if item.status == "future" and published_at > now else None
    page.save(clean=False)
    revision = page.save_revision(clean=False)
    if item.status in ("publish", "private", "future"):
        revision.publish()
    PageViewRestriction.objects.filter(page=page).delete()
    restriction = _restriction(page, item)
    if restriction is not None:
        restriction.save()


def _restriction(page: NewsItemPage, item: WXRItem) -> PageViewRestriction | None:
    """private: readers must log in; a password-protected post: the same password."""
    if item.status == "private":
        return PageViewRestriction(page=page, restriction_type=PageViewRestriction.LOGIN)
    if item.post_password:
        return PageViewRestriction(
            page=page, restriction_type=PageViewRestriction.PASSWORD, password=item.post_password[:255]
        )
    return None


def _old_paths(item: WXRItem, *, by_id: bool = True) -> list[str]:
    """The paths WordPress answered for a post: its permalink and /?p=<id> (unless its id was made up here)."""
    paths = []
    if item.link:
        parts = urlsplit(item.link)
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    if by_id:
        paths.append(f"/?p={item.post_id}")
    normalised = []
    for path in paths:
        old_path = Redirect.normalise_path(path)
        if old_path and old_path != "/" and old_path not in normalised:
            normalised.append(old_path)
    return normalised


def _parent_id(item: WXRItem) -> int | None:
    return int(item.post_parent) if item.post_parent.isdigit() and item.post_parent != "0" else None


def _permalink_path(item: WXRItem) -> str:
    """A post's permalink as a redirect's old path ('' for none or the site's root)."""
    if not item.link:
        return ""
    parts = urlsplit(item.link)
    path = Redirect.normalise_path(parts.path + (f"?{parts.query}" if parts.query else ""))
    return path if path and path != "/" else ""


def _resolve_post_id(item: WXRItem) -> str | None:
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


def _identity_date(item: WXRItem) -> str:
    """The date that, with the GUID and type, tells one post from another with its id: none for a draft, whose
    date WordPress moves when it is published."""
    if item.status not in ("publish", "future", "private"):
        return ""
    for value in (item.post_date_gmt, item.post_date):
        if value and not value.startswith("0000"):
            return value.strip()[:19]
    return ""


def _map_strings(value, change: Callable[[str], str]):
    """A body's blocks with `change` applied to every string in them (rich text, captions, nested blocks)."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_map_strings(v, change) for v in value]
    if isinstance(value, dict):
        return {k: (v if k in ("type", "id") else _map_strings(v, change)) for k, v in value.items()}
    return value


def _distinct_name(name: str, slug: str) -> str:
    """`name` made unique among categories with the slug that tells it apart: "News (news-uk)"."""
    suffix = f" ({slug})"
    candidate, n = name[: 100 - len(suffix)] + suffix, 2
    while Category.objects.filter(name=candidate).exists():
        suffix = f" ({slug} {n})"
        candidate, n = name[: 100 - len(suffix)] + suffix, n + 1
    return candidate


def _coauthor_slug(slug: str) -> str:
    """Co-Authors Plus names its author terms 'cap-<login>'."""
    return slugify(unquote(slug).removeprefix("cap-"), allow_unicode=True)


def clean_html(content: str) -> str:
    """Classic WordPress HTML as the sanitised HTML of the body's paragraphs (figures kept for unmatched images)."""
    return "".join(block["value"] for block in convert(content) if block["type"] == "paragraph")


def _ip_or_none(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _hash(item: WXRItem, model, categories: list, people: list, tags: list, media: list, *extra) -> str:
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
