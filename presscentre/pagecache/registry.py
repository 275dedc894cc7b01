"""What the page cache knows about the apps above it, told by them in their AppConfig.ready().

The page cache sits below every content app and imports none of them (the layers in README's "Architecture",
held by the import contract in pyproject.toml): comments registers its cookie, its per-request paths and its
ESI fragment; newsroom its item page class; embargo its next-lift lookup, its per-request path and its purge of
an item from every cache. Until an app has registered, the cache behaves as if that app were not installed.
"""

from collections.abc import Callable
from datetime import datetime

_bypass_cookies: list[str] = []
_bypass_prefixes: list[str] = []
_fragments: dict[str, Callable[..., str]] = {}
_item_model = None
_item_purger: Callable | None = None
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


def register_item_purger(purge: Callable) -> None:
    """The function that purges an item from this cache and any edge cache (replaces the app-cache-only one)."""
    global _item_purger
    _item_purger = purge


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


def item_purger() -> Callable | None:
    return _item_purger


def next_lift(now: datetime) -> datetime | None:
    return None if _next_lift is None else _next_lift(now)
