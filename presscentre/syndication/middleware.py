from urllib.parse import urlencode

from django.http import HttpResponsePermanentRedirect
from django.urls import reverse


def wordpress_search_redirect(get_response):
    """Send WordPress's search URL, `/?s=term`, on to `/search/?q=term` with a permanent redirect.

    Old links, browsers' saved search engines and other sites' search boxes keep working after a move from
    WordPress; the search page itself has one URL, so caches and analytics see one address.
    """

    def middleware(request):
        if request.method in ("GET", "HEAD") and request.path == "/" and "s" in request.GET:
            params = {"q": request.GET.get("s", "").replace("\x00", "")}
            for name in ("type", "category", "person", "year"):
                if request.GET.get(name):
                    params[name] = request.GET[name]
            return HttpResponsePermanentRedirect(f"{reverse('search:search')}?{urlencode(params)}")
        return get_response(request)

    return middleware
