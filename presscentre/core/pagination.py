"""Pagination that turns bad page numbers into a 404 or the first page, never an error."""

from collections.abc import Callable

from django.core.paginator import Page, Paginator
from django.http import Http404
from django.utils.functional import cached_property

# `store(name, count)` returns a listing's total, calling `count()` only when it does not know it. The page cache
# registers its own in its ready() (core sits below it and does not import it); without one, every total is counted.
_count_store: Callable[[str, Callable[[], int]], int] | None = None


def register_count_store(store: Callable[[str, Callable[[], int]], int]) -> None:
    """Keep listing totals with `store` (the page cache's, which forgets them when the listings change)."""
    global _count_store
    _count_store = store


class CachedCountPaginator(Paginator):
    """A paginator whose total comes from the registered count store (the page cache's), recounted only after a
    publish, lift or purge.

    Counting a 100,000-item archive on every request is most of a deep page's cost; the total changes only
    when the listings are purged anyway.
    """

    def __init__(self, object_list, per_page, *, count_key: str):
        super().__init__(object_list, per_page)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        if _count_store is None:
            return Paginator.count.func(self)
        return _count_store(self.count_key, lambda: Paginator.count.func(self))


def page_or_404(object_list, page_param: str | None, *, per_page: int, count_key: str | None = None) -> Page:
    """Return the requested page of `object_list`.

    A missing or non-numeric page number gives the first page; zero, negative or past-the-end gives a 404.
    With `count_key` (naming the listing, not its instant) the total is cached until the listings change.
    """
    try:
        number = int(page_param) if page_param else 1
    except ValueError:
        number = 1
    if number < 1:
        raise Http404("No such page.")
    if count_key is None:
        paginator = Paginator(object_list, per_page)
    else:
        paginator = CachedCountPaginator(object_list, per_page, count_key=count_key)
    if number > paginator.num_pages:
        raise Http404("No such page.")
    return paginator.page(number)
