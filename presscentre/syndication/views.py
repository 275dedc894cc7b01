from django.conf import settings
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from wagtail.models import Site

from presscentre.newsroom.listing import listing_entries
from presscentre.pagecache import tags as cache_tags
from presscentre.syndication.search import highlight, items_in_order, read_filters, results_page, search_items


def _press_centre(request):
    from presscentre.newsroom.models import PressCentrePage

    site = Site.find_for_request(request)
    root = site.root_page.specific if site else None
    if isinstance(root, PressCentrePage):
        return root
    press_centre = PressCentrePage.objects.live().first()
    if press_centre is None:
        raise Http404("There is no press centre to search.")
    return press_centre


def search(request):
    """`/search/?q=`: public items matching the words, with optional type, category, person and year filters."""
    from presscentre.newsroom.models import PressCentreSettings

    press_centre = _press_centre(request)
    site_settings = PressCentreSettings.for_request(request)
    query = request.GET.get("q", "")
    now = timezone.now()
    filters = read_filters(request.GET, at=now, time_zone=site_settings.zone, within=press_centre)
    results = search_items(query, at=now, filters=filters)
    page = results_page(results, request.GET.get("page"), per_page=settings.PRESSCENTRE_ITEMS_PER_PAGE)
    page.object_list = items_in_order(list(page.object_list))
    cache_tags.add(request, cache_tags.SEARCH)
    cache_tags.add_items(request, page.object_list)
    entries = listing_entries(page.object_list, press_centre=press_centre, request=request)
    for entry in entries:
        entry.item.search_title = highlight(entry.item.title, results.terms)
        entry.item.search_excerpt = highlight(entry.excerpt, results.terms)
    other_params = request.GET.copy()
    other_params.pop("page", None)
    return TemplateResponse(
        request,
        "syndication/search.html",
        {
            "query": query.replace("\x00", ""),
            "results": results,
            "filters": filters,
            "items": page,
            "entries": entries,
            "press_centre": press_centre,
            "item_types": press_centre.item_types,
            "page_query": other_params.urlencode(),
        },
    )
