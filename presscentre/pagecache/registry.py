"""What the page cache knows about the apps above it, told by them in their AppConfig.ready().

The page cache sits below every content app and imports none of them (the layers in README's "Architecture",
held by the import contract in pyproject.toml): comments registers its cookie, its per-request paths and its
ESI fragment and comment settings; newsroom its item page class, the tags an item appears under and its site-wide
snippets and settings; embargo its next-lift lookup and its per-request path; syndication its settings. Until an
app has registered, the cache behaves as if that app were not installed.
"""

from collections.abc import Callable
from datetime import datetime

_bypass_cookies: list[str] = []
_bypass_prefixes: list[str] = []
_fragments: dict[str, Callable[..., str]] = {}
_item_model = None
_item_tags: list[Callable] = []
# Models whose rows pages show, by label: a save or delete purges the tags `tags_of(instance)` names. The one
# list of site-wide models (settings, snippets, sites, redirects); connected once, in signal_handlers.
_model_tags: dict[str, Callable] = {}
_next_lift: Callable[[datetime], datetime | None] | None = None


def register_bypass_cookie(name: str) -> None:
    """A cookie that makes a request personal (as a session does): such a request skips the cache."""
    if name not in _bypass_cookies:
        _bypass_cookies.append(name)


def register_bypass_prefix(prefix: str) -> None:
    """A path prefix whose pages are personal or per-request: never looked up, never stored."""
    if prefix not in _bypass_prefixes:
        _bypass_prefixes.append(prefix)


def register_fragment(prefix: str, render: Callable[..., str]) -> None:
    """Fill `<esi:include src="<prefix><id>/" />` with `render(id, at=..., escaped_strings=...)` at every serve."""
    _fragments[prefix] = render


def register_item_model(model) -> None:
    """The base class of item pages: an item's page depends on itself alone, anything else lists items."""
    global _item_model
    _item_model = model


def register_item_tags(tags_of: Callable) -> None:
    """`tags_of(item)`: tags of surfaces an item appears on once public (newsroom: the index, its archives, the
    feeds, sitemaps, search and the API; comments: the site's comment feed when it shows the item's comments).
    Publishing, unpublishing, lifting, moving or deleting an item purges the union of every app's answer."""
    if tags_of not in _item_tags:
        _item_tags.append(tags_of)


def register_model(label: str, tags_of: Callable | None = None) -> None:
    """Rows of the model `label` ("app.Model") are shown by pages: a save or delete purges `tags_of(instance)`,
    or the whole site when no function is given."""
    _model_tags[label.lower()] = tags_of or _whole_site


def _whole_site(instance) -> set[str]:
    return {"site"}


def register_next_lift(lookup: Callable[[datetime], datetime | None]) -> None:
    """`lookup(now)` gives the next instant a live item becomes public, or None: no listing is kept past it."""
    global _next_lift
    _next_lift = lookup


def bypass_cookies() -> tuple[str, ...]:
    return tuple(_bypass_cookies)


def bypass_prefixes() -> tuple[str, ...]:
    return tuple(_bypass_prefixes)


def fragment(prefix: str) -> Callable[..., str] | None:
    return _fragments.get(prefix)


def item_model():
    return _item_model


def is_item(page) -> bool:
    return _item_model is not None and isinstance(page, _item_model)


def item_tags(item) -> set[str]:
    """The tags to purge when `item` changes (its own alone until newsroom has registered)."""
    tags = {f"item-{item.pk}"}
    for tags_of in _item_tags:
        tags |= set(tags_of(item))
    return tags


def model_tags(model) -> Callable | None:
    """The registered tag function for a model class, or None when pages do not show its rows."""
    return _model_tags.get(model._meta.label_lower)


def site_wide_models() -> tuple[str, ...]:
    return tuple(sorted(_model_tags))


def next_lift(now: datetime) -> datetime | None:
    return None if _next_lift is None else _next_lift(now)
