"""Writing imported pages into Wagtail's tree: many at once, or one by one in the state WordPress had them."""

from datetime import datetime

from wagtail.models import Page, PageViewRestriction

from presscentre.importers.wxr import WXRItem
from presscentre.newsroom.models import (
    NewsItemPage,
)


class LazyPage:
    """An imported page known by id, read from the database only if something needs it."""

    def __init__(self, pk: int):
        self.pk = pk
        self.page: NewsItemPage | None = None

    def get(self) -> Page:
        if self.page is None:
            self.page = Page.objects.get(pk=self.pk).specific
        return self.page


def real_page(page) -> NewsItemPage:
    return page.get() if isinstance(page, LazyPage) else page


def insert_pages(pages: list[NewsItemPage]) -> None:
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


def save_in_wordpress_state(page, item: WXRItem, *, published_at: datetime, now: datetime) -> None:
    """Save an updated page and publish it, schedule it or leave it a draft as WordPress had it, with the same
    login or password restriction."""
    page.live = False
    page.go_live_at = published_at if item.status == "future" and published_at > now else None
    page.save(clean=False)
    revision = page.save_revision(clean=False)
    if item.status in ("publish", "private", "future"):
        revision.publish()
    PageViewRestriction.objects.filter(page=page).delete()
    restriction = view_restriction(page, item)
    if restriction is not None:
        restriction.save()


def view_restriction(page: NewsItemPage, item: WXRItem) -> PageViewRestriction | None:
    """private: readers must log in; a password-protected post: the same password."""
    if item.status == "private":
        return PageViewRestriction(page=page, restriction_type=PageViewRestriction.LOGIN)
    if item.post_password:
        return PageViewRestriction(
            page=page, restriction_type=PageViewRestriction.PASSWORD, password=item.post_password[:255]
        )
    return None
