from django.http import HttpResponsePermanentRedirect
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Site


def redirect_wordpress_post_ids(get_response):
    """Send WordPress's `/?p=<id>` links to the imported page.

    Wagtail's redirect middleware only acts on a 404, and the site root answers `/?p=...` with the press
    centre, so these redirects (created by the importer, editable in the admin) are looked up here first.
    """

    def middleware(request):
        post_id = request.GET.get("p", "")
        if request.method in ("GET", "HEAD") and request.path == "/" and post_id.isdigit():
            site = Site.find_for_request(request)
            path = Redirect.normalise_path(f"/?p={post_id}")
            redirect = Redirect.get_for_site(site).filter(old_path=path).first()
            if redirect is not None and redirect.link:
                return HttpResponsePermanentRedirect(redirect.link)
        return get_response(request)

    return middleware
