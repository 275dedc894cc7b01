"""The page cache's rules: what may be kept, under which key, for how long, and how it is purged.

A cached page is an entry in Django's default cache (Redis when several processes share it) under a key made
of the scheme, host, path and query string. Each entry records the generation tokens it was built under:

- `site`: every page (bumped by a settings or snippet change, a move, a slug change, a deletion);
- `listings`: the index, archives, feeds, sitemaps, search, the API and any other page that lists items
  (bumped by a publish, an unpublish, a lift or a comment approval);
- the page's own path (bumped when that item changes), covering every query string on it.

A lookup fetches the entry and the three current tokens in one round trip and serves the entry only when its
recorded tokens are still current, so a purge is one write however many pages it invalidates, and
the tokens are read before the page is built: a purge that lands while a page renders makes that page stale
at once rather than keeping old content under new tokens.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from presscentre.pagecache import registry

logger = logging.getLogger(__name__)

# Cache key names (the tokens they hold are random purge generations, not secrets).
SITE_TOKEN_KEY = "pagecache:token:site"  # noqa: S105
LISTINGS_TOKEN_KEY = "pagecache:token:listings"  # noqa: S105
PATH_TOKEN_PREFIX = "pagecache:token:path:"  # noqa: S105
ENTRY_PREFIX = "pagecache:entry:"
COUNT_PREFIX = "pagecache:count:"
NEXT_EMBARGO_KEY = "pagecache:next-embargo"

# Set in the WSGI environ by the cache in front of Django; the middleware then leaves storing, ESI and 304s to it.
ENVIRON_FLAG = "presscentre.pagecache"
# The middleware's note to the WSGI layer that a response may be stored; never sent to the client.
STORE_HEADER = "X-Presscentre-Page-Cache"
STATUS_HEADER = "X-Page-Cache"

CACHEABLE_STATUSES = frozenset({200, 301})
CACHEABLE_METHODS = frozenset({"GET", "HEAD"})
# Personal, staff-only or per-request surfaces: never looked up, never stored (apps add theirs to the registry).
BYPASS_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/documents/",
    "/static/",
    "/media/",
    "/healthz",
)
# Vary headers the cache key already accounts for (no compression happens in the app).
HARMLESS_VARY = frozenset({"accept-encoding", "cookie"})

GROUP_ITEM = "item"
GROUP_LISTING = "listing"


def enabled() -> bool:
    return settings.PRESSCENTRE_PAGE_CACHE


def bypass_cookie_names() -> tuple[str, ...]:
    """Cookies that make a request personal: a session (staff, a private page's password) or one an app
    registered (held comments)."""
    return (settings.SESSION_COOKIE_NAME, *registry.bypass_cookies())


def request_bypasses(method: str, path: str, cookie_header: str, *, has_authorization: bool = False) -> bool:
    """Must this request skip the page cache? Decided from the method, path and cookies alone, with no query.

    A cookie name is matched as a substring, so a look-alike name only ever bypasses too often, never too little.
    """
    if method not in CACHEABLE_METHODS or has_authorization:
        return True
    if path.startswith(BYPASS_PREFIXES) or path.startswith(registry.bypass_prefixes()):
        return True
    return bool(cookie_header) and any(f"{name}=" in cookie_header for name in bypass_cookie_names())


def response_refusal(*, status: int, streaming: bool, sets_cookie: bool, cache_control: str, vary: str, has_cookies):
    """Why a response may not be shared ('' when it may): the issue's bypass rules for responses."""
    if status not in CACHEABLE_STATUSES:
        return "status"
    if streaming:
        return "streaming"
    if sets_cookie:
        return "sets a cookie"
    directives = {part.strip().split("=")[0].lower() for part in cache_control.split(",")}
    if directives & {"private", "no-store"}:
        return "private"
    varies = {part.strip().lower() for part in vary.split(",") if part.strip()}
    if "*" in varies or varies - HARMLESS_VARY:
        return "varies"
    if "cookie" in varies and has_cookies:
        return "varies on a cookie the request carries"
    return ""


def entry_key(scheme: str, host: str, path: str, query: str) -> str:
    return ENTRY_PREFIX + _digest(f"{scheme}://{host.lower()}{path}?{query}")


def path_token_key(path: str) -> str:
    return PATH_TOKEN_PREFIX + _digest(path)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:40]


def new_token() -> str:
    return secrets.token_hex(8)


@dataclass
class Entry:
    """One stored response: its status line, headers and body, and the tokens it was built under."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    last_modified: float
    tokens: tuple
    etag: str
    # When the app stops serving this copy (just after the next lift, for a listing): see `copies_expire_at`.
    # A class default, so entries stored before this field existed still read as None.
    expires_at: float | None = None
    has_esi: bool = field(init=False)

    def __post_init__(self):
        self.has_esi = b"<esi:include" in self.body


def tokens_for(group: str, current: dict, path_key: str) -> tuple:
    """The tokens an entry of `group` depends on, read from `current` (the values of one lookup)."""
    listings = current.get(LISTINGS_TOKEN_KEY) if group == GROUP_LISTING else ""
    return (current.get(SITE_TOKEN_KEY), listings, current.get(path_key))


def lookup_keys(key: str, path_key: str) -> list[str]:
    return [key, SITE_TOKEN_KEY, LISTINGS_TOKEN_KEY, path_key]


def is_current(entry, current: dict, path_key: str) -> bool:
    site, listings, path = entry.tokens
    if site != current.get(SITE_TOKEN_KEY) or path != current.get(path_key):
        return False
    return listings == "" or listings == current.get(LISTINGS_TOKEN_KEY)


def ensure_tokens(current: dict, path_key: str) -> dict:
    """Create any missing token (a cold or evicted cache) and return the current values of all three."""
    missing = [key for key in (SITE_TOKEN_KEY, LISTINGS_TOKEN_KEY, path_key) if current.get(key) is None]
    if not missing:
        return current
    for key in missing:
        cache.add(key, new_token(), timeout=None)  # add, not set: a purge's fresh token must not be overwritten
    return {**current, **cache.get_many(missing)}


# Headers


def browser_seconds() -> int:
    return settings.PRESSCENTRE_PAGE_CACHE_BROWSER_SECONDS


def shared_seconds(path: str) -> int:
    """How long the app's cache and shared caches may keep a page: shorter for search.

    The same whatever is under embargo: a lift reaches every cache by its purge, not by a lifetime that would
    tell any reader when the next lift falls.
    """
    seconds = settings.PRESSCENTRE_PAGE_CACHE_SECONDS
    if path.startswith("/search/"):
        seconds = min(seconds, settings.PRESSCENTRE_PAGE_CACHE_SEARCH_SECONDS)
    return max(1, seconds)


def cache_control(shared: int) -> str:
    return f"public, max-age={min(browser_seconds(), shared)}, s-maxage={shared}"


def copies_expire_at(now: float, *, until_next_embargo: float | None) -> float | None:
    """The instant (seconds since the epoch) the app's own copy of a listing stops being served: just after the
    next lift, or None when no embargo is pending.

    A safety net for a lift whose purge is late or reaches only another process's cache; it never shows in a
    header (see `is_expired`).
    """
    if until_next_embargo is None:
        return None
    return now + max(1, int(until_next_embargo) + 1)


def is_expired(entry, now: float) -> bool:
    """Has a stored listing outlived the lift it was built before? It is then rebuilt, as after a purge."""
    return entry.expires_at is not None and now >= entry.expires_at


def private_cache_control() -> str:
    """For a page with one reader's challenge filled in: their browser may keep it, no shared cache may."""
    return f"private, max-age={browser_seconds()}"


def content_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def challenge_period() -> int:
    """Half the comment challenge's lifetime: a 304 never hands back a form whose ticket is close to expiry."""
    return max(60, settings.PRESSCENTRE_COMMENT_CHALLENGE_MINUTES * 30)


def validators_for(etag: str, stored_at: float, *, expanded: bool, now: float) -> tuple[str, float]:
    """The ETag and Last-Modified instant a response carries.

    A page whose challenge the app filled in differs at every serve; its validators change every half ticket
    lifetime, so a browser revalidating keeps a copy whose ticket still has time left.
    """
    if not expanded:
        return etag, stored_at
    period = challenge_period()
    bucket = int(now // period)
    return f'W/"{etag.removeprefix("W/").strip(chr(34))}-{bucket}"', max(stored_at, bucket * period)


def not_modified(if_none_match: str, if_modified_since: str, *, etag: str, last_modified: float) -> bool:
    """RFC 9110's weak comparison for GET: If-None-Match decides when present, else If-Modified-Since."""
    if if_none_match:
        wanted = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
        return "*" in wanted or etag.removeprefix("W/") in wanted
    if if_modified_since:
        since = parse_http_date_safe(if_modified_since)
        return since is not None and int(last_modified) <= since
    return False


def http_date_of(instant: float) -> str:
    return http_date(int(instant))


# Purging


def purge_site() -> None:
    """Invalidate every cached page (settings, snippets, moves and deletions)."""
    cache.set(SITE_TOKEN_KEY, new_token(), timeout=None)


def purge_listings() -> None:
    """Invalidate every page that lists items, and every cached listing total."""
    cache.set(LISTINGS_TOKEN_KEY, new_token(), timeout=None)


def purge_paths(paths) -> None:
    """Invalidate the pages at these paths, whatever their query strings."""
    tokens = {path_token_key(path): new_token() for path in paths}
    if tokens:
        cache.set_many(tokens, timeout=None)


def item_paths(item) -> list[str]:
    """The paths an item's page is served at (one per site that holds it)."""
    from urllib.parse import unquote

    parts = item.get_url_parts()
    # Django reverses the path percent-encoded; the WSGI layer keys on the decoded path.
    return [unquote(parts[2])] if parts and parts[2] else []


def on_commit(function, *args) -> None:
    """Run a purge once the current transaction commits, so no reader can cache the old rows again after it."""
    transaction.on_commit(lambda: function(*args))


# Images and documents

# Saves that only record what Wagtail measured about a file, often while a page renders: nothing a reader sees.
MEDIA_BOOKKEEPING_FIELDS = frozenset({"file_size", "file_hash"})


@dataclass(frozen=True)
class MediaUsers:
    """Who shows an image or document: item pages by id, and whether anything else does (another page, a
    snippet such as a person's photo, a setting)."""

    item_ids: frozenset[int] = frozenset()
    elsewhere: bool = False

    def __bool__(self) -> bool:
        return bool(self.item_ids) or self.elsewhere


def media_users(media) -> MediaUsers:
    """Everything that shows `media` (an image or a document), from Wagtail's reference index.

    Read before a deletion commits: deleting removes the index rows that point at it.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, ReferenceIndex

    page_type = ContentType.objects.get_for_model(Page)
    page_ids, elsewhere = set(), False
    for base_type, object_id in (
        ReferenceIndex.get_references_to(media).values_list("base_content_type", "object_id").distinct()
    ):
        if base_type == page_type.pk:
            page_ids.add(int(object_id))
        else:
            elsewhere = True
    item_model = registry.item_model()
    item_ids = set()
    if page_ids and item_model is not None:
        item_ids = set(item_model.objects.filter(pk__in=page_ids).values_list("pk", flat=True))
    # A page that is not an item (the index, say) may be shown under many paths: treat it as site-wide.
    return MediaUsers(item_ids=frozenset(item_ids), elsewhere=elsewhere or bool(page_ids - item_ids))


def on_commit_once(key: str, function, *args) -> None:
    """`on_commit`, unless a callback under `key` is already waiting for the same transaction to commit.

    Deleting an image's renditions sends one signal per rendition, all in one transaction: they purge once.
    A rollback drops the waiting callback with the transaction, so nothing is skipped afterwards.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(entry[1], "pagecache_key", None) == key and not entry[1].done
        for entry in getattr(connection, "run_on_commit", None) or []
    ):
        return

    def callback():
        callback.done = True
        function(*args)

    callback.pagecache_key, callback.done = key, False
    transaction.on_commit(callback)


# Listing totals and the next embargo


def cached_count(name: str, count) -> int:
    """A listing's total, kept with the listings token so that a publish, lift or unpublish recounts it.

    `count` is called only on a miss: deep pages then cost no COUNT over the whole archive on each request.
    A total is never kept past the next embargo instant, so it is right even if no purge reaches this cache.
    """
    now = timezone.now()
    try:
        key = COUNT_PREFIX + _digest(f"{_listings_token()}:{name}")
        total = cache.get(key)
    except Exception:
        logger.exception("Cache unreachable; counting the listing")
        return count()
    if total is None:
        total = count()
        lifetime = settings.PRESSCENTRE_PAGE_CACHE_SECONDS
        until = seconds_until_next_embargo(now)
        if until is not None:
            lifetime = min(lifetime, int(until))
        if lifetime > 0:
            cache.set(key, total, timeout=lifetime)
    return total


def _listings_token() -> str:
    token = cache.get(LISTINGS_TOKEN_KEY)
    if token is None:
        cache.add(LISTINGS_TOKEN_KEY, new_token(), timeout=None)
        token = cache.get(LISTINGS_TOKEN_KEY)
    return token


def seconds_until_next_embargo(now: datetime) -> float | None:
    """Seconds until the next published item's embargo ends, or None when none is pending.

    The instant is kept with the listings token (a publish or lift recomputes it), so a listing costs this
    query once per change, not once per request.
    """
    try:
        current = cache.get_many([LISTINGS_TOKEN_KEY, NEXT_EMBARGO_KEY])
    except Exception:
        logger.exception("Cache unreachable; looking the next embargo up")
        instant = registry.next_lift(now)
        return None if instant is None else (instant - now).total_seconds()
    token, known = current.get(LISTINGS_TOKEN_KEY) or _listings_token(), current.get(NEXT_EMBARGO_KEY)
    if known is not None and known[0] == token and (known[1] is None or known[1] > now):
        instant = known[1]
    else:
        instant = registry.next_lift(now)
        cache.set(NEXT_EMBARGO_KEY, (token, instant), timeout=settings.PRESSCENTRE_PAGE_CACHE_SECONDS)
    return None if instant is None else (instant - now).total_seconds()
