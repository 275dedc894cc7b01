"""Per-process memory of the rows every request reads but editors rarely change.

Every public request needs the site for its host name, the site's root page, the site settings, the default
press contacts and whether any page has a view restriction: five to eight queries that return the same rows
until an editor changes one. Each worker process keeps them in memory, filed under a *generation*: one token in
the shared cache that any change to those rows replaces (`bump`). A request reads the token once, on first use,
so a change made through any app server is seen by every other on its next request.

Handed-out objects are copies: a request may set attributes on what it gets (Wagtail caches the request on
settings, routing caches the parent on a child) without touching what other requests get.

Outside a request (the worker, management commands, the shell) nothing is memoised and every read goes to the
database as before. The memory needs a cache every process shares (Redis, or the database cache without it):
with a per-process cache, another process's change could not reach this one's memory. PRESSCENTRE_SITE_MEMO
(on by default) turns it off.
"""

import contextvars
import copy
import logging
import threading
import uuid
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "presscentre:site-memo:generation"
# A generation also ends on its own after this long: a change whose bump could not reach the cache (it was down)
# is seen everywhere within five minutes at worst.
GENERATION_SECONDS = 300
# Host names are checked against ALLOWED_HOSTS before the memo is used; the cap is a second guard.
MAX_ENTRIES = 1024

_UNSET = object()


class _RequestScope:
    """The generation one request works under, read from the shared cache on first use."""

    __slots__ = ("generation",)

    def __init__(self):
        self.generation = None

    def current(self) -> str | None:
        """The generation, or None when the shared cache cannot be reached (then nothing is memoised)."""
        if self.generation is None:
            try:
                self.generation = _read_generation()
            except Exception:  # any cache backend's connection error: read the database instead
                logger.warning("Shared cache unreachable: the site memory is off for this request.", exc_info=True)
                self.generation = ""
        return self.generation or None


class _Memo:
    def __init__(self):
        self._lock = threading.Lock()
        self._generation = None
        self._values: dict[Hashable, Any] = {}

    def lookup(self, generation: str, key: Hashable) -> Any:
        with self._lock:
            if generation != self._generation:
                self._generation = generation
                self._values = {}
            return self._values.get(key, _UNSET)

    def keep(self, generation: str, key: Hashable, value: Any) -> None:
        with self._lock:
            if generation == self._generation and len(self._values) < MAX_ENTRIES:
                self._values[key] = value

    def forget(self) -> None:
        with self._lock:
            self._generation = None
            self._values = {}


_memo = _Memo()
_scope: contextvars.ContextVar[_RequestScope | None] = contextvars.ContextVar("site_memo_scope", default=None)


def _read_generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=GENERATION_SECONDS)
        generation = cache.get(GENERATION_KEY) or uuid.uuid4().hex
    return generation


def memoised(key: Hashable, compute: Callable[[], Any]) -> Any:
    """A copy of what `compute()` returns, remembered per process until the next `bump()`.

    `compute` must read only rows whose changes call `bump()` (see `connect`). None is never remembered, so
    looking up things that do not exist (a mistyped URL) cannot fill the memory.
    """
    scope = _scope.get()
    if scope is None:
        return compute()
    generation = scope.current()
    if generation is None:
        return compute()
    value = _memo.lookup(generation, key)
    if value is _UNSET:
        value = compute()
        if value is not None:
            _memo.keep(generation, key, value)
    return copy.copy(value)


def bump() -> None:
    """Forget every process's memory: now, and again once the current transaction commits.

    The second bump matters: between the first and the commit another process may have read the old rows again.
    """
    _replace_generation()
    transaction.on_commit(_replace_generation)


def _replace_generation() -> None:
    _memo.forget()
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=GENERATION_SECONDS)
    except Exception:
        # Other processes keep their memory until the cache is back and the next change: say so loudly.
        logger.error("Shared cache unreachable: other app servers may show the old site settings.", exc_info=True)


def site_memo_scope(get_response):
    """Middleware: lets the request use the memory (after CommonMiddleware has checked the host name)."""

    def middleware(request):
        if not settings.PRESSCENTRE_SITE_MEMO:
            return get_response(request)
        token = _scope.set(_RequestScope())
        try:
            request._wagtail_site = site_for_request(request)
            return get_response(request)
        finally:
            _scope.reset(token)

    return middleware


# What the memory holds -------------------------------------------------------------------------------------------


def site_for_request(request):
    """The Wagtail site answering this request, with its root page already in its most specific form."""
    from django.http.request import split_domain_port
    from wagtail.models import Site

    hostname, port = split_domain_port(request.get_host())[0], request.get_port()

    def find():
        site = Site._find_for_request(request)
        if site is not None:
            site.root_page = site.root_page.specific
        return site

    site = memoised(("site", hostname, port), find)
    if site is not None:
        site.root_page = copy.copy(site.root_page)
    return site


class MemoisedSiteSetting:
    """Mixin for a Wagtail site setting: read once per process until it (or the site) changes."""

    @classmethod
    def for_site(cls, site):
        if site is None:
            return super().for_site(site)
        return memoised(
            ("setting", cls._meta.label_lower, site.pk), lambda: super(MemoisedSiteSetting, cls).for_site(site)
        )


def restricted_sections() -> list[tuple[str, int]]:
    """The tree path and depth of every page with a view restriction (private sections start there)."""
    from wagtail.models import PageViewRestriction

    return memoised(
        "restricted-sections", lambda: list(PageViewRestriction.objects.values_list("page__path", "page__depth"))
    )


class MemoisedViewRestrictions:
    """Mixin for a page type: skip the two view-restriction queries while no page has a restriction."""

    def get_view_restrictions(self):
        from wagtail.models import PageViewRestriction

        if not restricted_sections():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


# What forgets it ------------------------------------------------------------------------------------------------

MEMOISED_MODELS = (
    "wagtailcore.Site",
    "wagtailcore.PageViewRestriction",
    "newsroom.PressCentreSettings",
    "newsroom.DefaultPressContact",
    "newsroom.PressContact",
    "newsroom.Category",
    "comments.CommentSettings",
    "syndication.SyndicationSettings",
)


# Site settings rows are created by their first read (Wagtail's get_or_create): nobody can have kept the row
# before it existed, so its creation changes nothing remembered.
CREATED_ON_FIRST_READ = ("newsroom.PressCentreSettings", "comments.CommentSettings", "syndication.SyndicationSettings")


def _bump_on_change(sender, **kwargs):
    if kwargs.get("created") and sender._meta.label in CREATED_ON_FIRST_READ:
        return
    bump()


def _bump_on_page_change(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        bump()


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished, post_page_move

    for label in MEMOISED_MODELS:
        model = apps.get_model(label)
        post_save.connect(_bump_on_change, sender=model, dispatch_uid=f"site_memo.saved.{label}")
        post_delete.connect(_bump_on_change, sender=model, dispatch_uid=f"site_memo.deleted.{label}")
    # Any page row: the root page is kept, and routing follows slugs and the tree.
    post_save.connect(_bump_on_page_change, dispatch_uid="site_memo.page_saved")
    post_delete.connect(_bump_on_page_change, dispatch_uid="site_memo.page_deleted")
    page_published.connect(_bump_on_change, dispatch_uid="site_memo.published")
    page_unpublished.connect(_bump_on_change, dispatch_uid="site_memo.unpublished")
    post_page_move.connect(_bump_on_change, dispatch_uid="site_memo.moved")
