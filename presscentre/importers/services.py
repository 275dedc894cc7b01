"""Importing a WordPress WXR export into the press centre: people, categories, tags, attachments, items,
comments and redirects.

`import_wxr_file` runs in one transaction: a file refused part-way (not well-formed, not WXR) leaves nothing
behind, and a dry run rolls everything back after counting. Re-importing is idempotent: every post is recorded
in ImportedPost with its WordPress id and GUID and a hash of what was imported, so an unchanged post is skipped
and a changed one updated; comments are matched by (post, WordPress comment id); attachments by WordPress id;
people, categories and tags by slug or name.

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
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageLogEntry, PageViewRestriction
from wagtail.signal_handlers import disable_reference_index_auto_update

from presscentre.comments.models import Comment
from presscentre.core import site_memo
from presscentre.importers.content import convert, host_forms, plain_text, split_more
from presscentre.importers.media import MediaLibrary, import_attachment
from presscentre.importers.models import ImportedComment, ImportedPost
from presscentre.importers.tasks import index_imported_pages
from presscentre.importers.wxr import WXRAuthor, WXRChannel, WXRComment, WXRItem, WXRTerm, iter_wxr
from presscentre.newsroom.models import (
    ITEM_TYPES,
    RESERVED_SLUGS,
    ArticlePage,
    Category,
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
        lines = [f"{'kind':<12} {'created':>8} {'updated':>8} {'skipped':>8}"]
        lines += [f"{kind:<12} {c:>8} {u:>8} {s:>8}" for kind, c, u, s in self.rows()]
        for kind, outcome, reason, n in self.reason_rows():
            lines.append(f"  {kind} {outcome} ({reason}): {n}")
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
    if not dry_run and (importer.summary.count("item", "created") or importer.summary.count("item", "updated")):
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
        # (source key, wp post id) -> (record pk, hash, page pk)
        self.records: dict[tuple[str, int], tuple[int, str, int]] = {}
        self.known_comments: dict[int, dict[int, int]] = defaultdict(dict)  # record pk -> {wp id: comment pk}
        self.redirect_paths: set[str] = set()
        self.sibling_slugs: set[str] = set()
        self.next_step = 0
        self.new_posts: list[_NewPost] = []
        self.comments: list[tuple[int | None, NewsItemPage, WXRComment]] = []  # (record pk, page, comment)
        self.redirects: list[Redirect] = []

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
        if self.media_dir is not None:
            self.import_attachments()
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

    def start(self, channel: WXRChannel) -> None:
        """Read once what earlier imports from this site left, so each post needs no lookups of its own."""
        self.site = channel.site[:300]
        self.old_hosts = frozenset().union(
            *(host_forms(url) for url in (channel.link, channel.base_site_url, channel.base_blog_url))
        )
        self.media = MediaLibrary.load(self.site)
        from_site = Q(source_site=self.site) | Q(source_site__startswith=f"{self.site}#")
        for record_pk, source, wp_post_id, digest, page_pk in ImportedPost.objects.filter(from_site).values_list(
            "pk", "source_site", "wp_post_id", "content_hash", "page_id"
        ):
            self.records[(source, wp_post_id)] = (record_pk, digest, page_pk)
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

    # Attachments

    def import_attachments(self) -> None:
        """Copy attachments first (a pass of their own), so posts can point at them wherever they sit in the file."""
        attachments: list[WXRItem] = []
        site = ""
        for record in iter_wxr(self.path, progress=self.report("reading attachments"), name=self.name):
            if isinstance(record, WXRChannel):
                site = record.site[:300]
            elif isinstance(record, WXRItem) and record.post_type == "attachment" and record.post_id.isdigit():
                attachments.append(record)
        # The whole file has been read and found well-formed before anything is copied.
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
        name = author.display_name or f"{author.first_name} {author.last_name}".strip() or author.login
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
            person = Person.objects.create(slug=slug, name=name.strip()[:150] or slug)
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
        slug = slugify(unquote(slug), allow_unicode=True)[:100] or slugify(name, allow_unicode=True)[:100]
        name = html.unescape(name).strip()[:100] or slug
        if not slug:
            self.summary.record("category", "skipped", "no usable slug")
            return None
        if slug in self.categories:
            return self.categories[slug]
        category = Category.objects.filter(slug=slug).first() or Category.objects.filter(name=name).first()
        if category is not None:
            self.summary.record("category", "skipped", "already present")
        else:
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
        reason = self.skip_reason(item, post_type)
        if reason:
            self.summary.record("item", "skipped", reason)
            return
        wp_post_id = int(item.post_id)
        self.seen_post_ids[wp_post_id] += 1
        # Some exports reuse a post id for different posts; WordPress gives each its own post, and so do we,
        # keyed by occurrence ("site#2") so that importing the file again finds each one.
        source = self.site if self.seen_post_ids[wp_post_id] == 1 else f"{self.site}#{self.seen_post_ids[wp_post_id]}"
        if source != self.site:
            self.summary.record("item", "note", "post id repeated in the file: imported as its own item")
        model = self.type_map.get(post_type) or self.choose_type(item)
        categories = [
            c for c in (self.ensure_category(t.slug, t.name) for t in item.terms if t.domain == "category") if c
        ]
        people = self.item_people(item)
        tags = list(
            {
                t.pk: t for t in (self.ensure_tag(t.name or t.slug) for t in item.terms if t.domain == "post_tag") if t
            }.values()
        )
        digest = _hash(item, model, categories, people, tags, self.media.signature(item.content))
        known = self.records.get((source, wp_post_id))
        if known is not None and known[1] == digest:
            record_pk, _digest, page_pk = known
            self.summary.record("item", "skipped", "unchanged")
            self.summary.page_ids.append(page_pk)
            # The page is read only if a new comment or redirect needs it; otherwise this costs no query.
            page = _LazyPage(page_pk)
            self.queue_comments(record_pk, page, item)
            self.queue_redirects(page, item)
        elif known is not None:
            record = ImportedPost.objects.get(pk=known[0])
            page = record.page.specific
            self.update_page(page, item, self.page_values(item), categories, people, tags)
            record.content_hash, record.guid, record.source_file = digest, item.guid[:500], self.name[:500]
            record.save()
            self.records[(source, wp_post_id)] = (record.pk, digest, page.pk)
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

    def skip_reason(self, item: WXRItem, post_type: str) -> str:
        """Why a post is not imported ('' when it is): type, status, no id, or nothing in it."""
        if post_type != "post" and post_type not in self.type_map:
            return f"post type {post_type}"
        if item.status not in IMPORTED_STATUSES:
            return f"status {item.status or '(none)'}"
        if not item.post_id.isdigit():
            return "no post id"
        if not item.title.strip() and not item.content.strip():
            return "empty post"
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
        title = html.unescape(item.title).strip()[:255] or "(untitled)"
        before_more, content = split_more(item.content)
        return {
            "title": title,
            "published_at": published_at,
            "summary": plain_text(item.excerpt) or plain_text(before_more),
            "body": convert(content, self.media.lookup if self.media else None, self.old_hosts),
            "comments_open": item.comment_status == "open",
        }

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

    def unique_slug(self, item: WXRItem, title: str) -> str:
        base = slugify(unquote(item.post_name), allow_unicode=True) or slugify(title, allow_unicode=True)
        base = (base or f"post-{item.post_id}")[:240]
        if base in RESERVED_SLUGS:
            base = f"{base}-{item.post_id}"
        slug, n = base, 2
        while slug in self.sibling_slugs:
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
        page.live = False
        page.go_live_at = None
        if item.status == "future" and page.published_at > self.at:
            page.go_live_at = page.published_at
        page.save(clean=False)
        revision = page.save_revision(clean=False)
        if item.status in ("publish", "private", "future"):
            revision.publish()
        PageViewRestriction.objects.filter(page=page).delete()
        restriction = _restriction(page, item)
        if restriction is not None:
            restriction.save()

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
        for old_path in _old_paths(item):
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
                page=post.page,
                content_hash=post.digest,
                source_file=self.name[:500],
            )
            for post in new_posts
        )
        by_page = {}
        for post, record in zip(new_posts, records, strict=True):
            self.records[(post.source, record.wp_post_id)] = (record.pk, record.content_hash, post.page.pk)
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
            author_name=html.unescape(wp_comment.author).strip()[:100] or "Anonymous",
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

    def get(self) -> NewsItemPage:
        if self.page is None:
            self.page = NewsItemPage.objects.get(pk=self.pk)
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


def _restriction(page: NewsItemPage, item: WXRItem) -> PageViewRestriction | None:
    """private: readers must log in; a password-protected post: the same password."""
    if item.status == "private":
        return PageViewRestriction(page=page, restriction_type=PageViewRestriction.LOGIN)
    if item.post_password:
        return PageViewRestriction(
            page=page, restriction_type=PageViewRestriction.PASSWORD, password=item.post_password[:255]
        )
    return None


def _old_paths(item: WXRItem) -> list[str]:
    """The paths WordPress answered for a post: its permalink and /?p=<id>."""
    paths = []
    if item.link:
        parts = urlsplit(item.link)
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    paths.append(f"/?p={item.post_id}")
    normalised = []
    for path in paths:
        old_path = Redirect.normalise_path(path)
        if old_path and old_path != "/" and old_path not in normalised:
            normalised.append(old_path)
    return normalised


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


def _hash(item: WXRItem, model, categories: list, people: list, tags: list, media: list) -> str:
    data = [
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
