"""Pagination that turns bad page numbers into a 404 or the first page, never an error; and for newest-first
listings, pages read by key rather than by OFFSET, so page 2,000 costs what page 2 does."""

from collections.abc import Callable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils.functional import cached_property

# `store(name, compute)` returns what a listing keeps (its total, its positions), calling `compute()` only when it
# does not know it. The page cache registers its own in its ready() (core sits below it and does not import it);
# without one, everything is computed on every request.
_count_store: Callable[[str, Callable[[], Any]], Any] | None = None


def register_count_store(store: Callable[[str, Callable[[], Any]], Any]) -> None:
    """Keep listing totals and positions with `store` (the page cache's, which forgets them when listings change)."""
    global _count_store
    _count_store = store


def _kept(name: str, compute: Callable[[], Any]) -> Any:
    return compute() if _count_store is None else _count_store(name, compute)


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
        return _kept(self.count_key, lambda: Paginator.count.func(self))


class NewestFirstPaginator(Paginator):
    """Pages of a queryset ordered newest first (`published_at`, then `pk`, both descending), each read by key.

    The listing's positions (its total and the key of every page's first entry) come from one query, a window over
    the keys alone, and are kept in the registered store with the total until the listings change. A page is then
    the rows at or after its first key: `WHERE (published_at, pk) <= key ORDER BY ... LIMIT n`, an index range read
    that costs the same on page 2 and page 20,000, where OFFSET would read and throw away every row before it.
    """

    def __init__(self, object_list, per_page, *, count_key: str):
        super().__init__(object_list, per_page)
        self.count_key = count_key

    @cached_property
    def positions(self) -> tuple[int, list[tuple]]:
        return _kept(f"{self.count_key}:positions:{self.per_page}", self._read_positions)

    def _read_positions(self) -> tuple[int, list[tuple]]:
        ordering = [F("published_at").desc(), F("pk").desc()]
        rows = (
            self.object_list.order_by()
            .annotate(_row=Window(RowNumber(), order_by=ordering), _total=Window(Count("pk")))
            .annotate(_slot=(F("_row") - 1) % self.per_page)
            .filter(_slot=0)
            .order_by("_row")
            .values_list("published_at", "pk", "_total")
        )
        found = list(rows)
        # Every row carries the total; an empty listing has no rows and no pages past the first.
        return (found[0][2] if found else 0), [(published_at, pk) for published_at, pk, _ in found]

    @cached_property
    def count(self) -> int:
        return self.positions[0]

    def page(self, number) -> Page:
        number = self.validate_number(number)
        if number == 1:
            rows = self.object_list[: self.per_page]
        else:
            published_at, pk = self.positions[1][number - 1]
            rows = self.object_list.filter(Q(published_at__lt=published_at) | Q(published_at=published_at, pk__lte=pk))
            rows = rows[: self.per_page]
        return self._get_page(list(rows), number, self)


def page_or_404(
    object_list, page_param: str | None, *, per_page: int, count_key: str | None = None, newest_first: bool = False
) -> Page:
    """Return the requested page of `object_list`.

    A missing or non-numeric page number gives the first page; zero, negative or past-the-end gives a 404.
    With `count_key` (naming the listing, not its instant) the total is cached until the listings change; with
    `newest_first` too (a queryset in `published_at`, `pk` descending order) pages are read by key.
    """
    try:
        number = int(page_param) if page_param else 1
    except ValueError:
        number = 1
    if number < 1:
        raise Http404("No such page.")
    if count_key is None:
        paginator = Paginator(object_list, per_page)
    elif newest_first:
        paginator = NewestFirstPaginator(object_list, per_page, count_key=count_key)
    else:
        paginator = CachedCountPaginator(object_list, per_page, count_key=count_key)
    if number > paginator.num_pages:
        raise Http404("No such page.")
    return paginator.page(number)
