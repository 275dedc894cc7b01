"""Pagination that turns bad page numbers into a 404 or the first page, never an error."""

from django.core.paginator import Page, Paginator
from django.http import Http404


def page_or_404(object_list, page_param: str | None, *, per_page: int) -> Page:
    """Return the requested page of `object_list`.

    A missing or non-numeric page number gives the first page; zero, negative or past-the-end gives a 404.
    """
    try:
        number = int(page_param) if page_param else 1
    except ValueError:
        number = 1
    if number < 1:
        raise Http404("No such page.")
    paginator = Paginator(object_list, per_page)
    if number > paginator.num_pages:
        raise Http404("No such page.")
    return paginator.page(number)
