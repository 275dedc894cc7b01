from django.utils.cache import add_never_cache_headers


def never_cache_not_found(get_response):
    """Tell every cache not to keep a 404.

    An embargoed item is a 404 until its instant; a 404 kept by a browser or CDN would hide it after the lift.
    """

    def middleware(request):
        response = get_response(request)
        if response.status_code == 404:
            add_never_cache_headers(response)
        return response

    return middleware
