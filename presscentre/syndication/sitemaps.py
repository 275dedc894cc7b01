"""Sitemaps for search engines and Google News, drawn only from the public items.

Wagtail's own sitemap walks the page tree and would list items that are live but still under embargo, so these
sections ask `public_items` instead. Locations are paths on the configured public base (core.urls_public), never
on the request's host, so a sitemap fetched through a proxy or an internal address still names the public URLs.
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

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
    at = timezone.now()
    return {
        "index": IndexSitemap(at=at, request=request),
        "items": ItemSitemap(at=at, request=request),
        "archives": ArchiveSitemap(at=at, request=request),
        "pages": ContentPageSitemap(at=at, request=request),
    }


def news_sitemaps(request) -> dict:
    return {"news": NewsSitemap(request=request)}


def sitemap_view(request):
    """/sitemap.xml: the indexes, every public item, the archives that list them and the plain pages."""
    cache_tags.add(request, cache_tags.SITEMAPS)
    return sitemap(request, site_sitemaps(request), template_name="syndication/sitemap.xml")


def news_sitemap_view(request):
    """/news-sitemap.xml: the last two days' public items, named as the organisation's publication."""
    cache_tags.add(request, cache_tags.SITEMAPS)
    response = sitemap(request, news_sitemaps(request), template_name="syndication/news_sitemap.xml")
    response.context_data["publication_name"] = PressCentreSettings.for_request(request).organisation_name
    return response


def robots_txt_view(request):
    """/robots.txt: crawl everything but the admin and journalists' personal links; name both sitemaps."""
    context = {
        "sitemap_url": public_url(reverse("sitemaps:sitemap")),
        "news_sitemap_url": public_url(reverse("sitemaps:news_sitemap")),
    }
    return render(request, "syndication/robots.txt", context, content_type="text/plain; charset=utf-8")
