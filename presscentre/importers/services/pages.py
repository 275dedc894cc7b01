"""WordPress pages as content pages, keeping their hierarchy: placed after every post, parents first."""

from django.db.models import F
from wagtail.models import Page, PageLogEntry, ReferenceIndex

from presscentre.importers.models import ImportedPost
from presscentre.importers.services.identity import post_digest
from presscentre.importers.services.tree import LazyPage, save_in_wordpress_state, view_restriction
from presscentre.importers.wxr import WXRItem
from presscentre.newsroom.models import (
    ContentPage,
)


class PagesMixin:
    """Creates, updates or skips each WordPress page under the page its parent became."""

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
        digest = post_digest(item, ContentPage, [], [], [], self.media.signature(item.content), parent.pk)
        if known is not None and known.digest == digest:
            self.summary.record("page", "skipped", "unchanged")
            self.summary.page_ids.append(known.page_pk)
            page = LazyPage(known.page_pk)
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
        restriction = view_restriction(page, item)
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
        save_in_wordpress_state(page, item, published_at=published_at, now=self.at)
        ReferenceIndex.create_or_update_for_object(page)


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


def _parent_id(item: WXRItem) -> int | None:
    return int(item.post_parent) if item.post_parent.isdigit() and item.post_parent != "0" else None
