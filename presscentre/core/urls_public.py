"""The site's public address, and every absolute URL built from it.

Feeds, sitemaps, robots.txt, canonical and social links, the API, journalists' links, calendar files and emails
all start with the one configured base (`PRESSCENTRE_PUBLIC_URL`), never with the request's host or the Wagtail
Site record's hostname and port: those differ between a proxy, a worker with no request, and the demo's
`localhost:80` site, and a link sent to a journalist must not depend on which of them built it.

The base names one site. Pages keep their paths within their Wagtail site, so a second site with its own
hostname would need a base of its own; the press centre serves one.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def checked_origin(raw: str, *, name: str) -> str:
    """Return `raw` as an http(s) origin ("https://press.example.org", a port allowed), or refuse it.

    Anything a link cannot start with is refused with one message naming the setting: no scheme, another
    scheme, a path, a query, a fragment, a user name or password, a malformed port.
    """
    value = raw.strip()
    refusal = ImproperlyConfigured(
        f"{name} must be the site's public origin, http(s)://host[:port] with no path, "
        f"e.g. https://press.example.org, not {raw!r}."
    )
    if not value or any(character.isspace() for character in value):
        raise refusal
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - reading it checks the port is a number in range
    except ValueError:
        raise refusal from None
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or value.endswith(("?", "#"))
    ):
        raise refusal
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def public_base_url() -> str:
    """The configured public origin, without a trailing slash: "https://press.example.org"."""
    return settings.PRESSCENTRE_PUBLIC_URL.rstrip("/")


def public_url(path: str) -> str:
    """The absolute public URL of a site path: `public_url("/feed/")` is "https://press.example.org/feed/".

    A URL that is already absolute (media on object storage) is returned as it is; a protocol-relative one gets
    the base's scheme. Anything else must be a path from the site root.
    """
    if not path:
        return f"{public_base_url()}/"
    if path.startswith("//"):
        return f"{urlsplit(public_base_url()).scheme}:{path}"
    if urlsplit(path).scheme:
        return path
    if not path.startswith("/"):
        raise ValueError(f"public_url() takes a path from the site root, such as '/feed/', not {path!r}.")
    return f"{public_base_url()}{path}"


def public_page_url(page, request=None) -> str:
    """The absolute public URL of a Wagtail page, or "" if the page is not routable (not under any site).

    Uses the page's path within its site, as `page.url` does, with the public base in place of the site's
    hostname. Pass the request when there is one: Wagtail then reads the sites once per request.
    """
    parts = page.get_url_parts(request)
    if parts is None or parts[2] is None:
        return ""
    return public_url(parts[2])
