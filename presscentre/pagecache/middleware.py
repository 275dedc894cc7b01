"""The Django side of the page cache: decide whether a finished response may be shared, and label it.

It runs outermost (first in MIDDLEWARE), so it judges the response every other middleware has finished:
security and CSP headers are in it, and so is any cookie a middleware set. Behind the WSGI page cache
(`presscentre.pagecache.wsgi`) it only labels a shareable response for storing; the WSGI layer then fills in
the comment challenge and answers conditional requests at every serve. Without it (the test client,
`PRESSCENTRE_PAGE_CACHE` off) it does those two things itself, so a reader sees the same page either way.
"""

import json
import time

from django.utils import timezone

from presscentre.pagecache import edge, esi, registry, services
from presscentre.pagecache import tags as cache_tags


def page_cache(get_response):
    def middleware(request):
        response = get_response(request)
        under_cache = request.META.get(services.ENVIRON_FLAG) is True
        group = _shareable_group(request, response)
        if group is not None:
            shared, expires_at = _label(request, response, group)
            if under_cache:
                label = {"group": group, "ttl": shared, "expires": expires_at}
                response[services.STORE_HEADER] = json.dumps(label)
                return response
        elif getattr(response, "streaming", False) or not esi.has_esi(getattr(response, "content", b"")):
            return response
        return _serve_directly(request, response, shareable=group is not None)

    return middleware


def _shareable_group(request, response) -> str | None:
    """The purge group of a response any reader may be given, or None for a personal or uncacheable one."""
    if services.request_bypasses(
        request.method,
        request.path_info,
        request.META.get("HTTP_COOKIE", ""),
        has_authorization="HTTP_AUTHORIZATION" in request.META,
    ):
        return None
    if getattr(request, "response_is_personal", False) or getattr(request, "is_dummy", False):
        return None  # personal, or a preview of unsaved work that Wagtail renders through a made-up request
    refusal = services.response_refusal(
        status=response.status_code,
        streaming=getattr(response, "streaming", False),
        sets_cookie=bool(response.cookies),
        cache_control=response.get("Cache-Control", ""),
        vary=response.get("Vary", ""),
        has_cookies=bool(request.COOKIES),
    )
    if refusal:
        return None
    return services.GROUP_ITEM if _is_item_page(response) else services.GROUP_LISTING


def _is_item_page(response) -> bool:
    # Item pages depend on their own item alone; anything else (the index, its archives) lists items.
    context = getattr(response, "context_data", None) or {}
    return registry.is_item(context.get("page"))


def _label(request, response, group: str) -> tuple[int, float | None]:
    """Give a shareable response its Cache-Control and validators.

    Returns how long shared caches may keep it, and the instant this app's own copy of a listing stops being
    served (the next lift, a safety net should the lift's purge come late; None when no embargo is pending).
    That instant stays inside the cache: the headers give the same lifetimes whether or not an embargo is
    pending, so no reader can learn from them that one is, or when it lifts.
    """
    now = timezone.now()
    shared = services.shared_seconds(request.path_info)
    response["Cache-Control"] = services.cache_control(shared)
    if response.status_code in (301, 302, 307, 308):
        cache_tags.add(request, cache_tags.REDIRECTS)
    cache_tags.apply(response, cache_tags.of(request), cloudflare=edge.uses_cloudflare())
    if not response.has_header("ETag"):
        response["ETag"] = services.content_etag(response.content)
    if not response.has_header("Last-Modified"):
        response["Last-Modified"] = services.http_date_of(time.time())
    until_embargo = services.seconds_until_next_embargo(now) if group == services.GROUP_LISTING else None
    return shared, services.copies_expire_at(now.timestamp(), until_next_embargo=until_embargo)


def _serve_directly(request, response, *, shareable: bool):
    """Fill in the challenge (unless a surrogate will) and answer a conditional request, as the WSGI layer does."""
    expanded = False
    if esi.has_esi(response.content):
        if shareable and esi.surrogate_does_esi(request.headers.get("Surrogate-Capability", "")):
            response["Surrogate-Control"] = 'content="ESI/1.0"'
        else:
            response.content = esi.expand(response.content, at=timezone.now())
            if response.has_header("Content-Length"):
                # CommonMiddleware measured the page before the challenge was filled in.
                response["Content-Length"] = str(len(response.content))
            expanded = True
            if shareable:
                # No shared cache may keep a page holding one reader's ticket.
                response["Cache-Control"] = services.private_cache_control()
    if not shareable:
        return response
    return _conditional(request, response, expanded=expanded)


def _conditional(request, response, *, expanded: bool):
    from django.utils.http import parse_http_date_safe

    last_modified = parse_http_date_safe(response["Last-Modified"]) or time.time()
    etag, last_modified = services.validators_for(response["ETag"], last_modified, expanded=expanded, now=time.time())
    response["ETag"] = etag
    response["Last-Modified"] = services.http_date_of(last_modified)
    if response.status_code == 200 and services.not_modified(
        request.headers.get("If-None-Match", ""),
        request.headers.get("If-Modified-Since", ""),
        etag=etag,
        last_modified=last_modified,
    ):
        response.status_code = 304
        response.content = b""
        for header in ("Content-Type", "Content-Length"):
            if response.has_header(header):
                del response[header]
    return response
