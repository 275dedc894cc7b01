"""Sitemaps for search engines and Google News, drawn only from the public items.

Wagtail's own sitemap walks the page tree and would list items that are live but still under embargo, so these
sections ask `public_items` instead. Locations are paths on the configured public base (core.urls_public), never
on the request's host, so a sitemap fetched through a proxy or an internal address still names the public URLs.

`/sitemap.xml` is a sitemap index (the protocol's `sitemapindex`): one page for the indexes, archives and plain
pages, and the items in pages of at most `urls_per_page()` URLs (50,000, the protocol's limit). An item's page is
fixed by its id (page n holds the public items whose ids fall in [n × size, (n + 1) × size)), so a page is one range
read on the primary key whatever the archive's size, no page ever holds more than the limit, and an item stays on
the same page for as long as it exists: new items fill the last pages and leave the others as they were.
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.db.models import F, Max
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.html import escape
from wagtail.models import Site

from presscentre.core.urls_public import public_base_url, public_url
from presscentre.embargo.services import public_items
from presscentre.newsroom.models import Category, ContentPage, Person, PressCentrePage, PressCentreSettings
from presscentre.pagecache import tags as cache_tags

# Google News takes articles published in the last two days.
NEWS_WINDOW = timedelta(days=2)


def _path(page, request) -> str:
    """The page's path on its site (the sitemap view adds scheme and host)."""
    parts = page.get_url_parts(request)
    return parts[2] if parts else ""


def _item_lastmod(item) -> datetime:
    return item.last_published_at or item.published_at


class _ClockedSitemap(Sitemap):
    """A section that reads the clock once per response, so every section answers for the same instant."""

    def __init__(self, *, at: datetime | None = None, request=None):
        self.at = at or timezone.now()
        self.request = request

    # Django's sitemap view offers the request's scheme and host; every location takes the public base's instead.
    def get_protocol(self, protocol=None) -> str:
        return urlsplit(public_base_url()).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(public_base_url()).netloc


class IndexSitemap(_ClockedSitemap):
    """The press centre index pages, last modified when their newest public item was."""

    def items(self):
        return PressCentrePage.objects.live().public().order_by("path")

    def location(self, index):
        return _path(index, self.request)

    def lastmod(self, index):
        latest = (
            public_items(self.at)
            .child_of(index)
            .aggregate(latest=Max(Coalesce("last_published_at", "published_at")))["latest"]
        )
        return latest or index.last_published_at


class ItemSitemap(_ClockedSitemap):
    """Every item the public may see now, newest first."""

    def items(self):
        return (
            public_items(self.at)
            .newest_first()
            .only("pk", "path", "depth", "url_path", "published_at", "last_published_at", "locale_id")
        )

    def location(self, item):
        return _path(item, self.request)

    def lastmod(self, item):
        return _item_lastmod(item)


class ArchiveSitemap(_ClockedSitemap):
    """Category and person archives beneath each index that list at least one public item."""

    def items(self):
        entries = []
        for index in PressCentrePage.objects.live().public().order_by("path"):
            public_ids = public_items(self.at).child_of(index).values("pk")
            latest = Max(Coalesce("item_links__item__last_published_at", "item_links__item__published_at"))
            for kind, model in (("category", Category), ("person", Person)):
                archives = (
                    model.objects.filter(item_links__item__in=public_ids)
                    .annotate(latest=latest)
                    .order_by("slug")
                    .only("slug")
                )
                entries.extend((index, kind, archive.slug, archive.latest) for archive in archives)
        return entries

    def location(self, entry):
        index, kind, slug, _ = entry
        return _path(index, self.request) + index.reverse_subpage(kind, args=[slug])

    def lastmod(self, entry):
        return entry[3]


class ContentPageSitemap(_ClockedSitemap):
    """The press centre's plain pages (About, Contact...) that anyone may read: live, with no privacy setting."""

    def items(self):
        # A list, so the paginator counts it without a query of its own: a site has a handful of these. (Wagtail's
        # public() reads the view restrictions first: one query more.)
        return list(ContentPage.objects.live().public().order_by("path"))

    def location(self, page):
        return _path(page, self.request)

    def lastmod(self, page):
        return page.last_published_at


class NewsSitemap(ItemSitemap):
    """Public items published in the last two days, for Google News."""

    limit = 1000  # Google News reads at most this many URLs from one sitemap

    def items(self):
        return (
            public_items(self.at)
            .filter(published_at__gte=self.at - NEWS_WINDOW, published_at__lte=self.at)
            .newest_first()
        )


def site_sitemaps(request) -> dict:
    """The sections of the pages sitemap: everything but the items, which have pages of their own."""
    at = timezone.now()
    return {
        "index": IndexSitemap(at=at, request=request),
        "archives": ArchiveSitemap(at=at, request=request),
        "pages": ContentPageSitemap(at=at, request=request),
    }


# The sitemap index and the items' pages -------------------------------------------------------------------------

SITEMAP_PROTOCOL_LIMIT = 50_000  # URLs in one sitemap file (and 50 MB: 50,000 of ours come to a few MB)
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def urls_per_page() -> int:
    """Items in one sitemap page: the protocol's limit, or fewer (PRESSCENTRE_SITEMAP_URLS_PER_PAGE, for tests)."""
    return min(getattr(settings, "PRESSCENTRE_SITEMAP_URLS_PER_PAGE", SITEMAP_PROTOCOL_LIMIT), SITEMAP_PROTOCOL_LIMIT)


def item_page_number(item_id: int) -> int:
    """The number of the items sitemap page that lists the item with this id."""
    return item_id // urls_per_page()


def _lastmod(value: datetime | None) -> str:
    return f"<lastmod>{value.isoformat()}</lastmod>" if value else ""


def _xml_response(body: str) -> HttpResponse:
    return HttpResponse(XML_DECLARATION + body, content_type="application/xml; charset=utf-8")


def item_pages(at: datetime) -> list[tuple[int, datetime]]:
    """(page number, newest change) of every items sitemap page that lists at least one public item at `at`.

    One grouped read of the public items' ids and dates: no row is fetched, only a row per page.
    """
    size = urls_per_page()
    rows = (
        public_items(at)
        .order_by()
        .annotate(sitemap_page=F("pk") / size)
        .values("sitemap_page")
        .annotate(latest=Max(Coalesce("last_published_at", "published_at")))
        .order_by("sitemap_page")
        .values_list("sitemap_page", "latest")
    )
    return list(rows)


def sitemap_index_view(request):
    """/sitemap.xml: the index of the sitemap pages, each with its newest change."""
    cache_tags.add(request, cache_tags.SITEMAPS)
    at = timezone.now()
    pages = item_pages(at)
    newest_item = max((latest for _, latest in pages), default=None)
    newest_page = ContentPage.objects.live().public().aggregate(latest=Max("last_published_at"))["latest"]
    entries = [(reverse("sitemaps:pages"), max(filter(None, [newest_item, newest_page]), default=None))]
    entries += [(reverse("sitemaps:items", args=[number]), latest) for number, latest in pages]
    body = "".join(
        f"<sitemap><loc>{escape(public_url(location))}</loc>{_lastmod(latest)}</sitemap>\n"
        for location, latest in entries
    )
    return _xml_response(f'<sitemapindex xmlns="{SITEMAP_NAMESPACE}">\n{body}</sitemapindex>\n')


def sitemap_pages_view(request):
    """/sitemap-pages.xml: the indexes, the archives that list public items and the plain pages."""
    cache_tags.add(request, cache_tags.SITEMAPS)
    return sitemap(request, site_sitemaps(request), template_name="syndication/sitemap.xml")


def _site_roots(request) -> list[str]:
    """Each site's root url_path, the request's site first, as Wagtail chooses an item's URL."""
    current = Site.find_for_request(request)
    roots = sorted(Site.get_site_root_paths(), key=lambda root: root.site_id != (current.pk if current else None))
    return [root.root_path for root in roots]


def sitemap_items_view(request, number: int):
    """/sitemap-items-<n>.xml: the public items whose ids fall in page n's range, oldest id first.

    Built from plain rows (address and two dates) and written out directly: at the protocol's 50,000 URLs a page
    takes one range read and no template, so it stays fast however large the archive.
    """
    cache_tags.add(request, cache_tags.SITEMAPS)
    size = urls_per_page()
    if number < 0 or number > (2**63 - 1) // size:
        raise Http404("No such sitemap page.")
    rows = (
        public_items(timezone.now())
        .filter(pk__gte=number * size, pk__lt=(number + 1) * size)
        .order_by("pk")
        .values_list("url_path", "last_published_at", "published_at")
    )
    roots = _site_roots(request)
    base = public_base_url().rstrip("/")
    lines = []
    for url_path, last_published_at, published_at in rows.iterator(chunk_size=5000):
        for root_path in roots:
            if url_path.startswith(root_path):
                location = escape(iri_to_uri(f"{base}/{url_path[len(root_path) :]}"))
                lines.append(f"<url><loc>{location}</loc>{_lastmod(last_published_at or published_at)}</url>\n")
                break
    if not lines:
        raise Http404("No such sitemap page.")
    return _xml_response(f'<urlset xmlns="{SITEMAP_NAMESPACE}">\n{"".join(lines)}</urlset>\n')


def news_sitemaps(request) -> dict:
    return {"news": NewsSitemap(request=request)}


def news_sitemap_view(request):
    """/news-sitemap.xml: the last two days' public items, named as the organisation's publication."""
    cache_tags.add(request, cache_tags.SITEMAPS)
    response = sitemap(request, news_sitemaps(request), template_name="syndication/news_sitemap.xml")
    response.context_data["publication_name"] = PressCentreSettings.for_request(request).organisation_name
    return response


def robots_txt_view(request):
    """/robots.txt: crawl everything but the admin and journalists' personal links; name the sitemap index and the
    news sitemap."""
    context = {
        "sitemap_url": public_url(reverse("sitemaps:sitemap")),
        "news_sitemap_url": public_url(reverse("sitemaps:news_sitemap")),
    }
    return render(request, "syndication/robots.txt", context, content_type="text/plain; charset=utf-8")
