"""Image files under the embargo rule: originals (/media/original_images/<name>) and Wagtail's renditions
(/media/images/<name>), found by their stored name and handed out only when `embargo.services.can_view_image` says
so, to the public or through a journalist's personal link.

A public answer may be kept by shared caches (Varnish, a CDN) and names its tags: the image's own, and each item
that shows it, so unpublishing or re-embargoing the item, or changing the image, withdraws it at the edge. A refusal
is a 404 that nothing keeps. On object storage nothing in the bucket is publicly readable: the app redirects to a
short-lived signed address (the `signed_media` storage) instead of streaming the file itself.
"""

import logging
import mimetypes
from datetime import datetime

from django.conf import settings
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from wagtail.images import get_image_model

from presscentre.embargo.services import is_staff_viewer, items_using_image
from presscentre.pagecache import edge, services
from presscentre.pagecache import tags as cache_tags

logger = logging.getLogger(__name__)

IMAGE_DIRECTORIES = ("original_images", "images")
# A signed address is good for this long; a browser may reuse the redirect to it for half of it.
SIGNED_STORAGE = "signed_media"


def find_image_file(directory: str, name: str):
    """The image (with the stored name of the file asked for) that `<directory>/<name>` is, or (None, '').

    One query: a rendition with its image, or the image itself for an original.
    """
    if directory not in IMAGE_DIRECTORIES or not name or "/" in name or "\\" in name or len(name) > 255:
        return None, ""
    stored = f"{directory}/{name}"
    image_model = get_image_model()
    if directory == "original_images":
        image = image_model.objects.filter(file=stored).first()
        return image, stored if image is not None else ""
    rendition = image_model.get_rendition_model().objects.filter(file=stored).select_related("image").first()
    return (rendition.image, stored) if rendition is not None else (None, "")


def refusal(message: str = "No such image.") -> HttpResponse:
    """The same 404 for an image that does not exist and one the reader may not see yet; nothing may keep it."""
    response = HttpResponse(message, status=404, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


def file_response(storage, name: str, *, as_attachment: bool = False, filename: str = "", signed_params=None):
    """The stored file: streamed from a local disk, or a redirect to a short-lived signed address on object
    storage (whose bucket keeps everything private)."""
    signed = _signed_storage(storage)
    if signed is not None:
        params = dict(signed_params or {})
        if as_attachment:
            params.setdefault("ResponseContentDisposition", f'attachment; filename="{filename}"')
        url = signed.url(name, parameters=params) if params else signed.url(name)
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = f"private, max-age={max(1, signed_seconds() // 2)}"
        return response
    content_type = mimetypes.guess_type(filename or name)[0] or "application/octet-stream"
    try:
        handle = storage.open(name, "rb")
    except FileNotFoundError:
        logger.error("The file %s is missing from storage", name)
        raise Http404("No such file.") from None
    return FileResponse(handle, as_attachment=as_attachment, filename=filename or None, content_type=content_type)


def signed_seconds() -> int:
    return settings.PRESSCENTRE_SIGNED_MEDIA_SECONDS


def _signed_storage(storage):
    """The storage that signs addresses for `storage`'s files, or None when files are streamed from a local disk.

    The default storage's files (images) are signed by the `signed_media` alias; a storage that signs its own
    addresses (the private storage on object storage) by itself.
    """
    if getattr(storage, "querystring_auth", False):
        return storage
    if storage is storages["default"] and SIGNED_STORAGE in settings.STORAGES:
        return storages[SIGNED_STORAGE]
    return None


def is_personal(request) -> bool:
    """Is this a request only one reader may have the answer to (signed in, or with a credential)?"""
    cookies = request.META.get("HTTP_COOKIE", "")
    return "HTTP_AUTHORIZATION" in request.META or (
        bool(cookies) and any(f"{name}=" in cookies for name in services.bypass_cookie_names())
    )


def share_publicly(request, response, *, image_ids=(), item_ids=(), extra_tags=()):
    """Let shared caches keep `response` for the page cache's lifetime, named by the tags that purge it."""
    response["Cache-Control"] = services.cache_control(services.shared_seconds(request.path_info))
    cache_tags.add(request, *(cache_tags.image(pk) for pk in image_ids), *extra_tags)
    cache_tags.add_items(request, item_ids)
    cache_tags.apply(response, cache_tags.of(request), cloudflare=edge.uses_cloudflare())
    return response


def keep_private(response):
    response["Cache-Control"] = "private, no-store"
    return response


def journalist_private(response):
    """What every answer through a personal link carries (as `embargo.views` does for the link's own pages): no
    shared or disk cache, no search engine, and no token handed to other sites in a referrer."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def image_users(image) -> list[int]:
    """The items that show `image` (their tags purge its files at the edge)."""
    return items_using_image(image)


def serve_image(request, image, stored_name: str, *, at: datetime):
    """An image file the rule let through: public and tagged for an anonymous reader who may see it, private for
    staff (who may see what readers may not yet)."""
    response = file_response(storages["default"], stored_name)
    if is_personal(request) or is_staff_viewer(request.user) or request.method not in services.CACHEABLE_METHODS:
        return keep_private(response)
    if isinstance(response, HttpResponseRedirect):
        return response  # a signed address must not outlive its signature in a shared cache
    return share_publicly(request, response, image_ids=[image.pk], item_ids=image_users(image))


class AppServedS3Storage(S3Storage):
    """The bucket for uploads when object storage is used: nothing in it is publicly readable, and the addresses
    pages show are the app's own (/media/...), where the embargo rule is applied before a signed redirect."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return f"{settings.MEDIA_URL}{filepath_to_uri(name)}"


def image_tags_of_item(item) -> set[str]:
    """The `image-<id>` tags of the images `item` shows (featured, cover, gallery, body), purged with the item: an
    image also shown by a public item waits when an embargoed item starts using it, and its cached files go."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, ReferenceIndex

    from presscentre.newsroom.models.items import ItemAsset

    image_ids = {getattr(item, "featured_image_id", None), getattr(item, "cover_image_id", None)}
    image_ids.update(ItemAsset.objects.filter(item_id=item.pk, image__isnull=False).values_list("image_id", flat=True))
    image_type = ContentType.objects.get_for_model(get_image_model())
    in_body = ReferenceIndex.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page), object_id=str(item.pk), to_content_type=image_type
    ).values_list("to_object_id", flat=True)
    image_ids.update(int(pk) for pk in in_body if str(pk).isdigit())
    return {cache_tags.image(pk) for pk in image_ids if pk}
