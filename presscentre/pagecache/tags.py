"""Cache tags: each cacheable response names what it shows, so that one purge reaches every copy of it.

A response carries its tags in `Surrogate-Key` (space-separated: Varnish with deploy/varnish/presscentre.vcl and
Fastly read it) and, when Cloudflare is configured, in `Cache-Tag` (comma-separated). The edge keeps the header
with its copy, bans by it, and strips it before a reader sees it.

The vocabulary:

- `site`: every response (settings, snippets shown everywhere, a moved or renamed index);
- `item-<id>`: an item's page, its plain-text and API forms, its comment feed, and every listing, archive,
  feed, search or API page that shows the item (so an edit reaches wherever it was shown, even an archive it has
  just left);
- `index`: the press centre's index with its type filters and page numbers, and the indexes of categories, people
  and press contacts (their counts and topics follow the public items);
- `category-<id>`, `person-<id>`: that archive and its feeds;
- `feeds`, `podcast`, `comments`: the site's item feeds, the podcast feed, the site's comment feed;
- `sitemaps`, `search`, `api`: both sitemaps, every search, the read API;
- `redirects`: every cached redirect (old addresses, such as an imported site's, lead to items: whether and where
  they lead follows the items' visibility and addresses);
- `document-<id>`: a document's download;
- `image-<id>`: an image's files (original and renditions) and download sizes.

Which changes purge which tags is said where each change is caught: `presscentre.pagecache.signal_handlers` and
the apps' registrations in `presscentre.pagecache.registry`.
"""

import re
from collections.abc import Iterable

HEADER = "Surrogate-Key"
CLOUDFLARE_HEADER = "Cache-Tag"

SITE = "site"
INDEX = "index"
FEEDS = "feeds"
PODCAST = "podcast"
COMMENTS = "comments"
SITEMAPS = "sitemaps"
SEARCH = "search"
API = "api"
REDIRECTS = "redirects"

# A listing names at most this many items; a page showing more (none does today: listings show 20, feeds 50, the
# API at most its limit) is left to its collection tags.
MAX_ITEM_TAGS = 200

TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_REQUEST_ATTRIBUTE = "_presscentre_cache_tags"


def item(pk: int) -> str:
    return f"item-{int(pk)}"


def category(pk: int) -> str:
    return f"category-{int(pk)}"


def person(pk: int) -> str:
    return f"person-{int(pk)}"


def document(pk: int) -> str:
    return f"document-{int(pk)}"


def image(pk: int) -> str:
    return f"image-{int(pk)}"


def item_id(tag: str) -> int | None:
    """The item id an `item-<id>` tag names, else None."""
    prefix, _, number = tag.partition("-")
    return int(number) if prefix == "item" and number.isdigit() else None


def clean(tags: Iterable[str]) -> set[str]:
    """The tags as a set, refusing anything outside the vocabulary's characters (they end up in a ban expression)."""
    result = set()
    for tag in tags:
        if not TAG_PATTERN.match(tag):
            raise ValueError(f"Not a cache tag: {tag!r}")
        result.add(tag)
    return result


def add(request, *tags: str) -> None:
    """Note on the request that its response shows these tags' objects."""
    request.__dict__.setdefault(_REQUEST_ATTRIBUTE, set()).update(clean(tags))


def add_items(request, items: Iterable) -> None:
    """Note the items (pages or ids) a listing shows; past `MAX_ITEM_TAGS` its collection tags cover it."""
    ids = [getattr(entry, "pk", entry) for entry in items]
    if len(ids) <= MAX_ITEM_TAGS:
        add(request, *(item(pk) for pk in ids))


def of(request) -> list[str]:
    """The tags a response to `request` carries: `site`, then the rest in order."""
    noted = getattr(request, _REQUEST_ATTRIBUTE, set()) if request is not None else set()
    return [SITE, *sorted(noted - {SITE})]


def apply(response, tags: Iterable[str], *, cloudflare: bool = False) -> None:
    """Write the tags into the response's headers for the edge."""
    tags = list(tags)
    response[HEADER] = " ".join(tags)
    if cloudflare:
        response[CLOUDFLARE_HEADER] = ",".join(tags)
