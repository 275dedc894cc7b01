"""What a listing shows of each item, worked out in Python once rather than looked up by the template.

A listing page renders twenty entries; each entry's links (the item, its categories) and labels come from
here, so the template only prints them.
"""

from dataclasses import dataclass, fields
from datetime import datetime
from urllib.parse import quote

from presscentre.newsroom.branding import Picture
from presscentre.newsroom.dates import long_date
from presscentre.newsroom.excerpts import excerpt_of
from presscentre.newsroom.images import thumbnails_of
from presscentre.newsroom.models.items import ItemCategory, NewsItemPage
from presscentre.newsroom.models.site_settings import PressCentreSettings


@dataclass(frozen=True)
class ListedItem:
    """What a listing shows of an item, read as plain column values (a page object costs ten times more to build)."""

    pk: int
    title: str
    slug: str
    path: str
    depth: int
    content_type_id: int
    published_at: datetime
    summary: str
    body: object  # the StreamField's value: only its raw blocks are read, when there is no summary
    comments_open: bool
    featured_image_id: int | None
    featured_image_alt: str

    # For templates and tags that read the highlighted title of a search result.
    search_title = ""
    search_excerpt = ""

    @classmethod
    def rows_of(cls, items):
        """`items` (a queryset of items) as rows of these fields, for `listed_items`."""
        return items.values_list(*(field.name for field in fields(cls)))

    specific_type = NewsItemPage.specific_type  # reads only content_type_id

    @property
    def excerpt(self) -> str:
        return excerpt_of(self.summary, self.body.raw_data)


def listed_items(rows) -> list[ListedItem]:
    return [ListedItem(*row) for row in rows]


@dataclass(frozen=True)
class ListingEntry:
    item: NewsItemPage | ListedItem
    url: str
    type_slug: str
    type_label: str
    published_iso: str  # in the site's zone, as the template's |date:"c" gives it
    published_display: str  # e.g. "3rd May 2026"
    excerpt: str
    categories: list[tuple[str, str]]  # (name, archive URL)
    thumbnail: Picture | None = None  # the featured image, small


def listing_entries(items, *, press_centre, request) -> list[ListingEntry]:
    """One entry per item of `items` (children of `press_centre`): two queries, the items and their categories."""
    items = list(items)
    base = press_centre.get_url(request=request) or "/"
    category_url = _category_urls(press_centre, base)
    categories = _categories_of(items)
    thumbnails = thumbnails_of(items)  # from the site memory, or one query for the page's renditions
    zone = PressCentreSettings.for_request(request).zone
    entries = []
    for item in items:
        item_type = item.specific_type
        published = item.published_at.astimezone(zone)
        entries.append(
            ListingEntry(
                item=item,
                url=_item_url(item, press_centre, base, request),
                type_slug=item_type.type_slug,
                type_label=item_type.type_label,
                published_iso=published.isoformat(),
                published_display=long_date(published),
                excerpt=item.excerpt,
                categories=[(name, category_url(slug)) for name, slug in categories.get(item.pk, ())],
                thumbnail=thumbnails.get(item.pk),
            )
        )
    return entries


def _categories_of(items) -> dict[int, list[tuple[str, str]]]:
    """Item id -> its categories' (name, slug) in the editor's order, as plain rows."""
    rows = (
        ItemCategory.objects.filter(item_id__in=[item.pk for item in items])
        .order_by("item_id", "sort_order", "pk")
        .values_list("item_id", "category__name", "category__slug")
    )
    found = {}
    for item_id, name, slug in rows:
        found.setdefault(item_id, []).append((name, slug))
    return found


def _item_url(item, press_centre, base: str, request) -> str:
    if item.depth == press_centre.depth + 1 and item.path.startswith(press_centre.path):
        return f"{base}{quote(item.slug)}/"  # a child's URL is its parent's plus its slug, as Wagtail builds it
    return item.get_url(request=request)


def _category_urls(press_centre, base: str):
    """Category slug -> archive URL, reversing the archive route once per listing rather than once per link."""
    marker = "category-slug-placeholder"
    pattern = base + press_centre.reverse_subpage("category", args=[marker])

    def url(slug: str) -> str:
        return pattern.replace(marker, quote(slug))

    return url
