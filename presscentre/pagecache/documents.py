"""Document downloads at the edge: the app's page cache never keeps them (they are files, served by Wagtail's view
after the embargo app's check), but Varnish or a CDN may, so each public download says for how long and which
tags purge it: its own, and each item that shows it (unpublishing or re-embargoing that item withdraws the file).
"""

import functools

from presscentre.pagecache import edge, services
from presscentre.pagecache import tags as cache_tags


def shared_download(view):
    """Wrap Wagtail's document view: a download any reader may have is public, anything else private."""

    @functools.wraps(view)
    def serve(request, document_id, document_filename, *args, **kwargs):
        response = view(request, document_id, document_filename, *args, **kwargs)
        if response.status_code != 200:
            return response
        cookies = request.META.get("HTTP_COOKIE", "")
        personal = "HTTP_AUTHORIZATION" in request.META or (
            bool(cookies) and any(f"{name}=" in cookies for name in services.bypass_cookie_names())
        )
        if personal or request.method not in services.CACHEABLE_METHODS:
            # Staff may download a file no reader may yet: never a shared copy.
            response["Cache-Control"] = "private, no-store"
            return response
        response["Cache-Control"] = services.cache_control(services.shared_seconds(request.path_info))
        users = _document_users(document_id)
        cache_tags.add(request, cache_tags.document(document_id))
        cache_tags.add_items(request, users)
        cache_tags.apply(response, cache_tags.of(request), cloudflare=edge.uses_cloudflare())
        return response

    return serve


def _document_users(document_id) -> list[int]:
    from wagtail.documents import get_document_model

    return sorted(services.media_users(get_document_model()(pk=int(document_id))).item_ids)
