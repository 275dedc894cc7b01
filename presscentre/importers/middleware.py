"""Old WordPress addresses (`/?p=<id>`, permalinks) sent on to the imported pages, but only to public ones.

The importer keeps an imported draft, pending, scheduled or private post's old addresses as redirects too, so
they work once it is published. Until then, following one would name the post's slug in `Location`: these
redirects are followed only while their target is public, and otherwise answer exactly as an address with no
redirect does.
"""

from datetime import datetime
from urllib.parse import urlsplit

from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import Resolver404, resolve
from django.utils import timezone
from wagtail.contrib.redirects.middleware import RedirectMiddleware, get_redirect
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.models import Site

from presscentre.embargo.services import can_download, public_pages

# The query parameters WordPress answers a post, page or attachment id with at the site's root.
POST_ID_PARAMETERS = ("p", "page_id", "attachment_id")


def public_link(redirect: Redirect, *, at: datetime) -> str | None:
    """Where `redirect` leads, or None while its target is not public at `at` (by the one visibility rule).

    A page target must be public; a link to one of the site's documents must be downloadable by anyone. Other
    links (another site, a path an editor typed) are followed as they are.
    """
    if redirect.redirect_page_id is not None:
        if not public_pages(at).filter(pk=redirect.redirect_page_id).exists():
            return None
        return redirect.link
    link = redirect.link
    document = _document_at(link)
    if document is not None and not can_download(document, at=at):
        return None
    return link


def _document_at(link: str | None):
    """The document a link to this site's document view names, or None."""
    if not link:
        return None
    parts = urlsplit(link)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.url_name != "wagtaildocs_serve":
        return None
    document_id = match.args[0] if match.args else match.kwargs.get("document_id")
    return get_document_model().objects.filter(pk=document_id).first()


def _respond(redirect: Redirect, link: str):
    return HttpResponsePermanentRedirect(link) if redirect.is_permanent else HttpResponseRedirect(link)


def redirect_wordpress_post_ids(get_response):
    """Send WordPress's `/?p=<id>` links (and `?page_id=`, `?attachment_id=`) to the imported page, if public.

    Wagtail's redirect middleware only acts on a 404, and the site root answers `/?p=...` with the press
    centre, so these redirects (created by the importer, editable in the admin) are looked up here first. The id
    of a post that is not public gets the press centre, as an id that was never imported does.
    """

    def middleware(request):
        if request.method in ("GET", "HEAD") and request.path == "/":
            old_path = _post_id_path(request)
            if old_path:
                site = Site.find_for_request(request)
                redirect = Redirect.get_for_site(site).filter(old_path=old_path).first()
                link = public_link(redirect, at=timezone.now()) if redirect is not None else None
                if link:
                    return _respond(redirect, link)
        return get_response(request)

    return middleware


def _post_id_path(request) -> str:
    """`/?p=<id>` (or `page_id`, `attachment_id`) as the importer stores it, or '' for other addresses."""
    for name in POST_ID_PARAMETERS:
        value = request.GET.get(name, "")
        if value.isascii() and value.isdigit():
            return Redirect.normalise_path(f"/?{name}={value}")
    return ""


class PublicRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects of addresses that are a 404 (old permalinks), followed only to a public target.

    Wagtail's own middleware sends them to their page whether or not it is live; here a redirect to a draft,
    scheduled, embargoed or private page leaves the 404 as it is, the same answer as for an unknown address.
    """

    def process_response(self, request, response):
        if response.status_code != 404:
            return response
        path = Redirect.normalise_path(request.get_full_path(), decode_unicode=False)
        redirect = get_redirect(request, path)
        without_query = urlsplit(path).path
        if redirect is None and without_query != path:
            redirect = get_redirect(request, without_query)
        if redirect is None:
            return response
        link = public_link(redirect, at=timezone.now())
        if not link:
            return response
        return _respond(redirect, link)
