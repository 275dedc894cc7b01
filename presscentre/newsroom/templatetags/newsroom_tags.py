"""The public site's shared wording: the one date style, the release line, the press centre's own links and the
share links on an item."""

from urllib.parse import quote, urlencode

from django import template
from django.utils import timezone
from wagtail.models import Site

from presscentre.core.urls_public import public_page_url
from presscentre.newsroom.dates import long_date, release_line_at

register = template.Library()


@register.filter(name="long_date", expects_localtime=True)
def long_date_filter(value) -> str:
    """A date or datetime as "2nd December 2026", a datetime in the template's time zone: the site's one style."""
    return long_date(value)


@register.simple_tag
def release_line(item) -> str:
    """The line above a release's headline, as `release_line_at` words it now, in the page's time zone."""
    return release_line_at(item, at=timezone.now(), zone=timezone.get_current_timezone())


def _press_centre(context):
    """The press centre the page belongs to: the one in the context, else the site's own (an error page, a view
    outside the page tree)."""
    from presscentre.newsroom.models import PressCentrePage

    press_centre = context.get("press_centre")
    if press_centre is not None:
        return press_centre
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    root = site.root_page.specific if site is not None else None
    if isinstance(root, PressCentrePage):
        return root
    return PressCentrePage.objects.live().order_by("path").first()


@register.simple_tag(takes_context=True)
def press_centre_url(context, route: str = "", *args) -> str:
    """The URL of one of the press centre's own pages ("press_contacts", "categories", "people"), or of the press
    centre itself; "/" and the route's usual path when there is no press centre to ask (a fresh install)."""
    press_centre = _press_centre(context)
    request = context.get("request")
    base = (press_centre.get_url(request=request) if press_centre is not None else None) or "/"
    if not route:
        return base
    if press_centre is None:
        return base + _FALLBACK_PATHS.get(route, "")
    return base + press_centre.reverse_subpage(route, args=args).lstrip("/")


_FALLBACK_PATHS = {
    "press_contacts": "press-contacts/",
    "categories": "category/",
    "people": "author/",
    "experts": "experts/",
}


@register.inclusion_tag("components/share_links.html", takes_context=True)
def share_links(context, item):
    """Copy-link and share links for `item`: plain links, nothing loads from another site until one is followed."""
    request = context.get("request")
    url = public_page_url(item, request)
    title = item.seo_title or item.title
    text = f"{title} {url}"
    mastodon = press_centre_url(context, "share_mastodon") + "?" + urlencode({"url": url, "text": title})
    return {
        "url": url,
        "title": title,
        "email": f"mailto:?subject={quote(title)}&body={quote(url)}",
        "linkedin": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        "bluesky": "https://bsky.app/intent/compose?" + urlencode({"text": text}),
        "mastodon": mastodon,
    }
