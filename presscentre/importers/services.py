"""Importing a WordPress WXR export into the press centre: people, categories, items, comments and redirects.

`import_wxr_file` runs in one transaction: a file refused part-way (not well-formed, not WXR) leaves nothing
behind, and a dry run rolls everything back after counting. Re-importing is idempotent: every post is recorded
in ImportedPost with its WordPress id and GUID and a hash of what was imported, so an unchanged post is skipped
and a changed one updated; comments are matched by (post, WordPress comment id); people and categories by slug.
"""

import hashlib
import html
import ipaddress
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nh3
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import PageViewRestriction
from wagtail.signal_handlers import disable_reference_index_auto_update

from presscentre.comments.models import Comment
from presscentre.importers.models import ImportedComment, ImportedPost
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
    Person,
    PressCentrePage,
    PressReleasePage,
    ReportPage,
)

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "a", "strong", "b", "em", "i",
    "blockquote", "figure", "figcaption", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
PRESS_RELEASE_NAME = re.compile(r"^press[\s_-]*releases?$", re.IGNORECASE)
REPORT_NAME = re.compile(r"^reports?$", re.IGNORECASE)
CAPTION_SHORTCODE = re.compile(r"\[caption[^\]]*\](.*?)\[/caption\]", re.DOTALL)
BLOCK_START = re.compile(r"^\s*<(p|h[1-6]|ul|ol|li|blockquote|figure|div|table|pre|hr)\b", re.IGNORECASE)
WP_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
COMMENT_STATUSES = {
    "1": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
IMPORTED_STATUSES = {"publish", "future", "draft", "pending", "private"}


@dataclass
class ImportSummary:
    """Counts of created, updated and skipped records per kind, with the reasons for skips."""

    path: str = ""
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)  # (kind, outcome) -> n
    reasons: Counter = field(default_factory=Counter)  # (kind, outcome, reason) -> n
    pages: list = field(default_factory=list)

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

    def table(self) -> str:
        lines = [f"{'kind':<12} {'created':>8} {'updated':>8} {'skipped':>8}"]
        lines += [f"{kind:<12} {c:>8} {u:>8} {s:>8}" for kind, c, u, s in self.rows()]
        for (kind, outcome, reason), n in sorted(self.reasons.items()):
            lines.append(f"  {kind} {outcome} ({reason}): {n}")
        return "\n".join(lines)


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
    dry_run: bool = False,
    at: datetime,
) -> ImportSummary:
    """Import one WXR file under `parent`. Raises WXRError (nothing imported) for a refused file."""
    importer = _Importer(
        path=Path(path), parent=parent, default_type=default_type, type_map=type_map or {}, at=at, dry_run=dry_run
    )
    with transaction.atomic(), disable_reference_index_auto_update():
        importer.run()
        if dry_run:
            transaction.set_rollback(True)
    return importer.summary


class _Importer:
    def __init__(self, *, path, parent, default_type, type_map, at, dry_run):
        self.path = path
        self.parent = parent
        self.default_type = default_type
        self.type_map = type_map
        self.at = at
        self.summary = ImportSummary(path=str(path), dry_run=dry_run)
        self.site = ""
        self.people_by_login: dict[str, Person] = {}
        self.categories: dict[str, Category] = {}
        self.seen_post_ids: set[int] = set()
        self.site_record = parent.get_site()

    def run(self) -> None:
        for record in iter_wxr(self.path):
            if isinstance(record, WXRChannel):
                self.site = record.site[:300]
            elif isinstance(record, WXRAuthor):
                self.import_author(record)
            elif isinstance(record, WXRTerm):
                self.import_term(record)
            elif isinstance(record, WXRItem):
                self.import_item(record)

    # People and categories

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
        if not slug:
            self.summary.record("person", "skipped", "no usable slug")
            return None
        person = Person.objects.filter(slug=slug).first()
        if person is not None:
            self.summary.record("person", "skipped", "already present")
            return person
        person = Person.objects.create(slug=slug, name=name.strip()[:150] or slug)
        self.summary.record("person", "created")
        return person

    def import_term(self, term: WXRTerm) -> None:
        if term.taxonomy == "category":
            self.ensure_category(term.slug, term.name, parent=term.parent)
        elif term.taxonomy == "author":
            self.ensure_person(_coauthor_slug(term.slug), term.name)
        elif term.taxonomy == "post_tag":
            self.summary.record("tag", "skipped", "items have no tags")
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

    # Items

    def import_item(self, item: WXRItem) -> None:
        post_type = item.post_type or "post"
        mapped = self.type_map.get(post_type)
        if post_type != "post" and mapped is None:
            self.summary.record("item", "skipped", f"post type {post_type}")
            return
        if item.status not in IMPORTED_STATUSES:
            self.summary.record("item", "skipped", f"status {item.status or '(none)'}")
            return
        if not item.post_id.isdigit():
            self.summary.record("item", "skipped", "no post id")
            return
        if not item.title.strip() and not item.content.strip():
            self.summary.record("item", "skipped", "empty post")
            return
        if int(item.post_id) in self.seen_post_ids:
            self.summary.record("item", "skipped", "post id repeated in the file")
            return
        self.seen_post_ids.add(int(item.post_id))
        model = mapped or self.choose_type(item)
        categories = [
            c for c in (self.ensure_category(t.slug, t.name) for t in item.terms if t.domain == "category") if c
        ]
        people = self.item_people(item)
        values = self.page_values(item)
        digest = _hash(item, model, [c.pk for c in categories], [p.pk for p in people])
        record = ImportedPost.objects.filter(source_site=self.site, wp_post_id=int(item.post_id)).first()
        if record is not None and record.content_hash == digest:
            page = record.page.specific
            self.summary.record("item", "skipped", "unchanged")
        elif record is not None:
            page = record.page.specific
            self.update_page(page, item, values, categories, people)
            record.content_hash, record.guid, record.source_file = digest, item.guid[:500], str(self.path)[:500]
            record.save()
            self.summary.record("item", "updated")
        else:
            page = self.create_page(model, item, values, categories, people)
            record = ImportedPost.objects.create(
                source_site=self.site,
                wp_post_id=int(item.post_id),
                guid=item.guid[:500],
                page=page,
                content_hash=digest,
                source_file=str(self.path)[:500],
            )
            self.summary.record("item", "created")
        self.summary.pages.append(page)
        self.import_comments(record, page, item.comments)
        self.ensure_redirects(page, item)

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
        return {
            "title": title,
            "published_at": published_at,
            "summary": _plain_text(item.excerpt),
            "body": _body(item.content),
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
            return timezone.make_aware(parsed, timezone.get_default_timezone())
        return None

    def unique_slug(self, item: WXRItem, title: str, exclude_pk=None) -> str:
        base = slugify(unquote(item.post_name), allow_unicode=True) or slugify(title, allow_unicode=True)
        base = (base or f"post-{item.post_id}")[:240]
        if base in RESERVED_SLUGS:
            base = f"{base}-{item.post_id}"
        siblings = self.parent.get_children().exclude(pk=exclude_pk)
        slug, n = base, 2
        while siblings.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def create_page(self, model, item, values, categories, people) -> NewsItemPage:
        page = model(slug=self.unique_slug(item, values["title"]), **values)
        if model is MediaAppearancePage:
            page.outlet = "(imported from WordPress)"
        page.category_links = [ItemCategory(category=c, sort_order=i) for i, c in enumerate(categories)]
        page.person_links = [ItemPerson(person=p, sort_order=i) for i, p in enumerate(people)]
        self.set_status(page, item)
        self.parent.add_child(instance=page)
        self.save_status(page, item)
        return page

    def update_page(self, page, item, values, categories, people) -> None:
        for name, value in values.items():
            setattr(page, name, value)
        page.slug = self.unique_slug(item, values["title"], exclude_pk=page.pk) if item.post_name else page.slug
        page.category_links = [ItemCategory(category=c, sort_order=i) for i, c in enumerate(categories)]
        page.person_links = [ItemPerson(person=p, sort_order=i) for i, p in enumerate(people)]
        self.set_status(page, item)
        page.save()
        self.save_status(page, item)

    def set_status(self, page: NewsItemPage, item: WXRItem) -> None:
        page.live = False
        page.go_live_at = None
        if item.status == "future" and page.published_at > self.at:
            page.go_live_at = page.published_at

    def save_status(self, page: NewsItemPage, item: WXRItem) -> None:
        """publish and private: live; future: scheduled at its date; draft and pending: a draft."""
        revision = page.save_revision(clean=False)
        if item.status in ("publish", "private") or item.status == "future":
            revision.publish()
        PageViewRestriction.objects.filter(page=page).delete()
        if item.status == "private":
            PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
        elif item.post_password:
            PageViewRestriction.objects.create(
                page=page, restriction_type=PageViewRestriction.PASSWORD, password=item.post_password[:255]
            )

    # Comments and redirects

    def import_comments(self, record: ImportedPost, page: NewsItemPage, comments: list[WXRComment]) -> None:
        known = dict(
            ImportedComment.objects.filter(post=record).values_list("wp_comment_id", "comment_id")
        )  # wp id -> Comment pk
        created: list[tuple[Comment, WXRComment]] = []
        for wp_comment in comments:
            if wp_comment.type == "note":
                self.summary.record("comment", "skipped", "block note (never public)")
                continue
            if not wp_comment.id.isdigit():
                self.summary.record("comment", "skipped", "no comment id")
                continue
            if int(wp_comment.id) in known:
                self.summary.record("comment", "skipped", "already imported")
                continue
            status = COMMENT_STATUSES.get(wp_comment.approved)
            if status is None:
                self.summary.record("comment", "skipped", f"status {wp_comment.approved or '(none)'}")
                continue
            created_at = self.parse_date(wp_comment.date_gmt, wp_comment.date) or page.published_at
            kind = wp_comment.type if wp_comment.type in ("pingback", "trackback") else Comment.Kind.COMMENT
            comment = Comment.objects.create(
                item=page,
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
            ImportedComment.objects.create(post=record, wp_comment_id=int(wp_comment.id), comment=comment)
            known[int(wp_comment.id)] = comment.pk
            created.append((comment, wp_comment))
            self.summary.record("comment", "created")
        for comment, wp_comment in created:
            parent_pk = known.get(int(wp_comment.parent)) if wp_comment.parent.isdigit() else None
            if parent_pk:
                Comment.objects.filter(pk=comment.pk).update(parent_id=parent_pk)

    def ensure_redirects(self, page: NewsItemPage, item: WXRItem) -> None:
        paths = []
        if item.link:
            parts = urlsplit(item.link)
            paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        paths.append(f"/?p={item.post_id}")
        own_path = Redirect.normalise_path(page.url or "") if page.url else None
        for path in paths:
            old_path = Redirect.normalise_path(path)
            if not old_path or old_path in ("/", own_path):
                continue
            if Redirect.objects.filter(old_path=old_path, site=self.site_record).exists():
                self.summary.record("redirect", "skipped", "already present")
                continue
            Redirect.objects.create(old_path=old_path, site=self.site_record, redirect_page=page, is_permanent=True)
            self.summary.record("redirect", "created")


def _coauthor_slug(slug: str) -> str:
    """Co-Authors Plus names its author terms 'cap-<login>'."""
    return slugify(unquote(slug).removeprefix("cap-"), allow_unicode=True)


def _plain_text(value: str) -> str:
    return html.unescape(nh3.clean(value, tags=set())).strip()


def _caption_to_figure(match: re.Match) -> str:
    inner = match.group(1).strip()
    image = re.match(r"^((?:<a\b[^>]*>)?\s*<img\b[^>]*>\s*(?:</a>)?)(.*)$", inner, re.DOTALL | re.IGNORECASE)
    if not image:
        return inner
    return f"<figure>{image.group(1).strip()}<figcaption>{image.group(2).strip()}</figcaption></figure>"


def _autop(content: str) -> str:
    """WordPress's classic editor stores paragraphs as blank lines: wrap them in <p> (a small wpautop)."""
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", content.replace("\r\n", "\n")) if chunk.strip()]
    return "".join(chunk if BLOCK_START.match(chunk) else f"<p>{chunk}</p>" for chunk in chunks)


def clean_html(content: str) -> str:
    """Classic WordPress HTML to the allowlist our body keeps; scripts, styles and event handlers dropped."""
    content = content.replace("<!--more-->", "")
    content = CAPTION_SHORTCODE.sub(_caption_to_figure, content)
    return nh3.clean(
        _autop(content),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        clean_content_tags={"script", "style"},
    ).strip()


def _body(content: str) -> list[dict]:
    cleaned = clean_html(content)
    return [{"type": "paragraph", "value": cleaned}] if cleaned else []


def _ip_or_none(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _hash(item: WXRItem, model, category_pks: list, person_pks: list) -> str:
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
        category_pks,
        person_pks,
    ]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()
