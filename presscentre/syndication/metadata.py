"""What a page tells search engines and social networks about itself: canonical URL, description, OpenGraph,
Twitter card and schema.org JSON-LD, built from the page and request a template already has. Every URL in them
starts with the configured public base (core.urls_public), whatever host the request came in on."""

import json
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.safestring import mark_safe

from presscentre.core.urls_public import public_page_url, public_url
from presscentre.newsroom.excerpts import text_of_html
from presscentre.newsroom.models import (
    ArticlePage,
    NewsItemPage,
    PressCentrePage,
    PressCentreSettings,
    PressReleasePage,
    ReportPage,
)

SHARE_IMAGE_FILTER = "fill-1200x630"

# Inside <script>, "</script>" or "<!--" in a title would end or confuse the element: escape what HTML parses.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> str:
    """A `<script type="application/ld+json">` element whose text no title or summary can break out of."""
    text = json.dumps(data, ensure_ascii=False, cls=_DjangoJSONEncoder).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 - escaped above


class _DjangoJSONEncoder(json.JSONEncoder):
    def default(self, o):
        if hasattr(o, "isoformat"):
            return o.isoformat()
        return super().default(o)


def page_metadata(context) -> dict:
    """Every value the metadata component prints, for whatever page (or plain view) the context describes."""
    request = context.get("request")
    if request is None:
        return {}
    page = context.get("page")
    site_settings = PressCentreSettings.for_request(request)
    meta = {
        "canonical": "",
        "site_name": site_settings.organisation_name,
        "og_type": "website",
        "title": "",
        "description": "",
        "image": "",
        "image_alt": "",
        "image_width": None,
        "image_height": None,
        "noindex": False,
        "json_ld": "",
    }
    if isinstance(page, NewsItemPage):
        meta.update(_item_metadata(page, request, site_settings))
    elif isinstance(page, PressCentrePage):
        meta.update(_listing_metadata(page, context, request, site_settings))
    # Other views (search, error pages, a journalist's terms) name only the site: a canonical link built from
    # the request would make a 404 for a hidden item differ from any other 404, and could repeat a token.
    if not meta["image"] and site_settings.brand.social is not None:
        # A page with no image of its own is shared with the organisation's: its default image, or its logo.
        social = site_settings.brand.social
        meta.update(
            image=public_url(social.url), image_alt=social.alt, image_width=social.width, image_height=social.height
        )
    meta["twitter_card"] = "summary_large_image" if meta["image"] else "summary"
    return meta


def _item_metadata(page: NewsItemPage, request, site_settings) -> dict:
    page_url = public_page_url(page, request)
    canonical = page.canonical_url(request) if isinstance(page, ArticlePage) else page_url
    description = page.search_description or page.excerpt
    shared = _shared_image(*_item_image(page))
    image = shared["image"]
    meta = {
        **shared,
        "canonical": canonical,
        "og_type": "article",
        "title": page.seo_title or page.title,
        "description": description,
        "published": page.published_at,
        "modified": page.last_published_at or page.published_at,
        "noindex": page.is_embargoed_at(timezone.now()),
    }
    schema_type = _schema_type(page)
    if schema_type:
        data = {
            "@context": "https://schema.org",
            "@type": schema_type,
            "headline": page.title,
            "datePublished": meta["published"],
            "dateModified": meta["modified"],
            "author": [{"@type": "Person", "name": person.name} for person in page.people],
            "publisher": _organisation(page.get_parent(), request, site_settings),
            "description": description,
            "url": canonical,
            "mainEntityOfPage": canonical,
        }
        if isinstance(page, ReportPage):
            data["name"] = page.report_title or page.title
        if image:
            data["image"] = [image]
        meta["json_ld"] = json_ld_script(data)
    return meta


def _schema_type(page: NewsItemPage) -> str:
    if isinstance(page, PressReleasePage | ArticlePage):
        return "NewsArticle"
    if isinstance(page, ReportPage):
        return "Report"
    return ""


def _listing_metadata(index: PressCentrePage, context, request, site_settings) -> dict:
    """The index and its category and person archives: their own URL, keeping only a type and a page > 1."""
    category, person = context.get("category"), context.get("person")
    kept = {}
    if context.get("current_type") is not None:
        kept["type"] = request.GET.get("type")
    listing = context.get("items")
    if getattr(listing, "number", 1) > 1:
        kept["page"] = listing.number
    base = public_page_url(index, request) or public_url("/")
    if category is not None:
        base += index.reverse_subpage("category", args=[category.slug])
    elif person is not None:
        base += index.reverse_subpage("person", args=[person.slug])
    # "published" is an item's alone; said here so the template's lookup does not fail (a failed lookup is slow).
    meta = {"canonical": base + (f"?{urlencode(kept)}" if kept else ""), "published": None}
    if category is not None:
        meta.update(title=category.name, description=category.description)
    elif person is not None:
        meta.update(
            title=person.name,
            description=person.role or text_of_html(person.bio),
            **_shared_image(person.photo, person.name),
        )
    else:
        meta.update(
            title=index.seo_title or index.title,
            description=index.search_description or text_of_html(index.intro),
            json_ld=json_ld_script({"@context": "https://schema.org", **_organisation(index, request, site_settings)}),
        )
    return meta


def _organisation(index, request, site_settings) -> dict:
    organisation = {"@type": "Organization", "name": site_settings.organisation_name}
    url = public_page_url(index, request) if index is not None else ""
    if url:
        organisation["url"] = url
    return organisation


def _item_image(page: NewsItemPage) -> tuple:
    """(image, its alt text): the featured image, or else the report cover, or else the first image in the body."""
    if page.featured_image is not None:
        return page.featured_image, page.featured_image_alt_text
    cover = getattr(page, "cover_image", None)
    if cover is not None:
        return cover, cover.description or f"Cover of {page.title}"
    for block in page.body:
        if block.block_type == "image" and block.value.get("image") is not None:
            return block.value["image"], block.value.get("alt_text") or block.value["image"].description
    return None, ""


def _shared_image(image, alt: str) -> dict:
    """The og:image values of `image`, cropped to a social card (empty values without one)."""
    if image is None:
        return {"image": "", "image_alt": "", "image_width": None, "image_height": None}
    rendition = image.get_rendition(SHARE_IMAGE_FILTER)
    return {
        "image": public_url(rendition.url),
        "image_alt": alt,
        "image_width": rendition.width,
        "image_height": rendition.height,
    }
