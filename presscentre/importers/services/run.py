"""Running one import: the entry points, the two passes over the file, and the batches they write.

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

import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page
from wagtail.signal_handlers import disable_reference_index_auto_update

from presscentre.core import site_memo
from presscentre.importers.content import host_forms
from presscentre.importers.media import MediaLibrary
from presscentre.importers.models import ImportedComment, ImportedPost
from presscentre.importers.services.attachments import AttachmentsMixin
from presscentre.importers.services.comments import CommentsMixin
from presscentre.importers.services.identity import KnownPost, RecordsMixin, resolve_post_id
from presscentre.importers.services.items import ItemsMixin, NewPost
from presscentre.importers.services.links import LinksMixin, LinkTarget
from presscentre.importers.services.pages import PagesMixin
from presscentre.importers.services.people import PeopleMixin
from presscentre.importers.services.redirects import RedirectsMixin
from presscentre.importers.services.report import ImportSummary
from presscentre.importers.services.terms import TermsMixin
from presscentre.importers.wxr import WXRAuthor, WXRChannel, WXRComment, WXRItem, WXRTerm, iter_wxr
from presscentre.newsroom.models import (
    ITEM_TYPES,
    ArticlePage,
    Category,
    NewsItemPage,
    Person,
    PressCentrePage,
    PressCentreSettings,
)
from presscentre.pagecache import tags as cache_tags
from presscentre.pagecache.purge import purge

ProgressCallback = Callable[[str, int, int], None]  # (stage, bytes read, file size)


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
    purge({cache_tags.SITE})


class _Importer(
    ItemsMixin,
    PagesMixin,
    PeopleMixin,
    TermsMixin,
    AttachmentsMixin,
    LinksMixin,
    RedirectsMixin,
    CommentsMixin,
    RecordsMixin,
):
    """One run over one file; each concern's methods come from its own module's mixin."""

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
        self.records: dict[tuple[str, int], KnownPost] = {}  # (source key, wp post id) -> what was imported
        self.known_comments: dict[int, dict[int, int]] = defaultdict(dict)  # record pk -> {wp id: comment pk}
        self.redirect_paths: set[str] = set()
        self.sibling_slugs: set[str] = set()
        self.next_step = 0
        self.new_posts: list[NewPost] = []
        self.comments: list[tuple[int | None, NewsItemPage, WXRComment]] = []  # (record pk, page, comment)
        self.redirects: list[Redirect] = []
        self.pending_pages: list[tuple[str, WXRItem]] = []  # WordPress pages (source key, page), placed last
        self.derived_ids: set[int] = set()  # post ids made up from a GUID: WordPress never answered /?p= for them
        # Every post, page and attachment of the file, read first, so links to ones further down resolve too.
        self.targets: dict[int, LinkTarget] = {}
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
            self.records[(source, wp_post_id)] = KnownPost(record_pk, digest, page_pk, *identity)
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
                if resolve_post_id(record) is not None:
                    self.index_target(record, post_type)
                if post_type == "attachment" and record.post_id.isdigit():
                    attachments.append(record)
        if self.media_dir is not None:
            # The whole file has been read and found well-formed before anything is copied.
            self.import_attachments(site, attachments)

    def flush(self) -> None:
        """Write what the last batch of posts queued: records, links, tags, restrictions, comments, redirects."""
        new_posts, self.new_posts = self.new_posts, []
        if new_posts:
            self.write_new_posts(new_posts)
        self.write_comments()
        if self.redirects:
            Redirect.objects.bulk_create(self.redirects)
            self.redirects = []
