"""Posts as news items: their type, content, people, categories and tags, written in batches.

WordPress pages (pages.py) share `content_values`, `parse_date` and `unique_slug`."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote

from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Page, PageLogEntry, PageViewRestriction

from presscentre.importers.content import convert, plain_text, split_more
from presscentre.importers.models import ImportedPost
from presscentre.importers.services.identity import HASHED_ID, identity_date, post_digest, resolve_post_id
from presscentre.importers.services.tree import LazyPage, insert_pages, save_in_wordpress_state, view_restriction
from presscentre.importers.tasks import index_imported_pages
from presscentre.importers.wxr import WXRItem
from presscentre.newsroom.models import (
    RESERVED_SLUGS,
    ItemCategory,
    ItemPerson,
    MediaAppearancePage,
    NewsItemPage,
    NewsItemTag,
)

WP_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
BATCH_SIZE = 200  # posts whose comments, records and links are written together


@dataclass
class NewPost:
    """A page just written whose records, links, tags and view restriction are waiting for the batch."""

    page: NewsItemPage
    item: WXRItem
    digest: str
    categories: list
    people: list
    tags: list
    source: str


class ItemsMixin:
    """Creates, updates or skips each post, and writes a batch of new ones with a few statements per table."""

    def import_item(self, item: WXRItem) -> None:
        post_type = item.post_type or "post"
        if post_type == "attachment" and post_type not in self.type_map:
            if self.media_dir is None:
                self.summary.record("attachment", "skipped", "no --media-dir: left as links")
            return  # with --media-dir, attachments were counted in their own pass
        is_page = post_type == "page" and post_type not in self.type_map
        kind = "page" if is_page else "item"
        id_origin = resolve_post_id(item)
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
        digest = post_digest(item, model, categories, people, tags, self.media.signature(item.content))
        if known is not None and known.digest == digest:
            self.summary.record("item", "skipped", "unchanged")
            self.summary.page_ids.append(known.page_pk)
            # The page is read only if a new comment or redirect needs it; otherwise this costs no query.
            page = LazyPage(known.page_pk)
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
            self.new_posts.append(NewPost(page, item, digest, categories, people, tags, source[:300]))
            self.summary.record("item", "created")
            self.queue_comments(None, page, item)
            self.queue_redirects(page, item)
        if len(self.new_posts) >= BATCH_SIZE or len(self.comments) >= BATCH_SIZE * 5:
            self.flush()

    def report_sticky(self, item: WXRItem) -> None:
        """WordPress shows sticky posts first; items here are listed by date alone, so the editors are told."""
        self.summary.record("item", "note", "sticky post: reported, not featured")
        self.summary.notices.append(
            f"Post {item.post_id} “{plain_text(item.title) or '(untitled)'}” was sticky in WordPress. The press "
            "centre lists items by date and has no featured items, so it is listed in date order."
        )

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
        save_in_wordpress_state(page, item, published_at=page.published_at, now=self.at)

    def write_new_posts(self, new_posts: list[NewPost]) -> None:
        """Insert a batch of new pages and everything hanging off them, a few statements per table.

        Wagtail's add_child and publish would cost dozens of queries per page. What they do that matters here
        (tree path, URL path, parent's child count, creation log, search index) is done for the whole batch;
        future posts then go through Wagtail's own publish, which schedules them.
        """
        pages = [post.page for post in new_posts]
        insert_pages(pages)
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
                post_date=identity_date(post.item),
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
            r for r in (view_restriction(p.page, p.item) for p in new_posts) if r is not None
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


def _map_strings(value, change: Callable[[str], str]):
    """A body's blocks with `change` applied to every string in them (rich text, captions, nested blocks)."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_map_strings(v, change) for v in value]
    if isinstance(value, dict):
        return {k: (v if k in ("type", "id") else _map_strings(v, change)) for k, v in value.items()}
    return value
