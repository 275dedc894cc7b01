"""Work the importer leaves to the task worker, so a big import is not held up by it."""

from collections import defaultdict

from django_tasks import task
from modelsearch.backends import get_search_backends
from wagtail.models import Page, ReferenceIndex


@task()
def index_imported_pages(page_ids: list[int]) -> None:
    """Add imported pages to the search index, in bulk per item type, and to Wagtail's reference index.

    The importer inserts pages without saving them one by one, so the save signal that would index each page
    never runs. The reference index records the documents a body links to or plays (the embargo rule lets a
    reader download a file only when a public item uses it), so until this runs imported files stay private.
    Safe to run twice: indexing a page again replaces its entries.
    """
    by_model = defaultdict(list)
    for page in Page.objects.filter(pk__in=page_ids).specific():
        by_model[type(page)].append(page.pk)
    for model, pks in by_model.items():
        pages = list(
            model.objects.filter(pk__in=pks).prefetch_related("category_links__category", "person_links__person")
        )
        for backend in get_search_backends(with_auto_update=True):
            backend.add_bulk(model, pages)
        for page in pages:
            ReferenceIndex.create_or_update_for_object(page)
