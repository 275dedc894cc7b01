"""Image files, download sizes and gallery ZIPs, each behind the one visibility rule.

The public routes (`urls.py`) answer anyone the rule lets through, shareable and tagged for the edge; the same
files through a journalist's personal link (`link_urls.py`, under /embargoed/<token>/) open the link's own item
before its lift, privately, with each download in the link's log. Anything refused is the same 404 as something
that does not exist. A size or ZIP the worker has not made yet is a 503 with Retry-After, and is queued.
"""

from django.apps import apps
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe
from wagtail.images import get_image_model

from presscentre.embargo.models import AccessLogEntry
from presscentre.embargo.services import (
    can_view,
    can_view_image,
    find_access_link,
    is_staff_viewer,
    link_opens_image,
    public_items,
    record_access,
    terms_outstanding,
)
from presscentre.mediakit import serving
from presscentre.mediakit.serving import journalist_private as _private

# How long a reader is asked to wait for a size or ZIP the worker is making.
RETRY_AFTER_SECONDS = 30


# Image files


@require_safe
def image_file(request, directory: str, name: str):
    """/media/images/<name> and /media/original_images/<name> for anyone the rule lets see the image."""
    now = timezone.now()
    image, stored = serving.find_image_file(directory, name)
    if image is None or not can_view_image(image, at=now, viewer=request.user):
        return serving.refusal()
    return serving.serve_image(request, image, stored, at=now)


@require_safe
def link_image_file(request, token: str, directory: str, name: str):
    """An image file of the link's own item, through the link (the journalist's copy shows its pictures)."""
    now = timezone.now()
    link = find_access_link(token)
    image, stored = serving.find_image_file(directory, name)
    if link is None or image is None or terms_outstanding(link) or not link_opens_image(link, image, at=now):
        return _private(serving.refusal())
    return _private(serving.file_response(serving.storages["default"], stored))


# Download sizes


def _image_or_404(image_id: int):
    image = get_image_model().objects.filter(pk=image_id).first()
    if image is None:
        raise Http404("No such image.")
    return image


def _download_or_none(image, size: str):
    """The made download of `size`, or None (queued for the worker); an unknown size is a 404."""
    download_model = apps.get_model("core", "ImageDownload")
    if size not in download_model.Size.values:
        raise Http404("No such size.")
    return download_model.objects.filter(image=image, size=size).first()


def _attachment(download) -> HttpResponse:
    extension = download.file.name.rsplit(".", 1)[-1].lower() if "." in download.file.name else "bin"
    filename = f"{slugify(download.image.title) or 'image'}-{download.size}.{extension}"
    return serving.file_response(download.file.storage, download.file.name, as_attachment=True, filename=filename)


def _not_ready(what: str) -> HttpResponse:
    response = HttpResponse(
        f"The {what} is being prepared. Please try again in a minute.",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return serving.keep_private(response)


def _queue_image_downloads(image) -> None:
    from presscentre.core.image_downloads import queue_image_downloads

    queue_image_downloads(image)


@require_safe
def image_download(request, image_id: int, size: str):
    """An image in one of its sizes (web, print, original) as an attachment named after the image."""
    now = timezone.now()
    image = _image_or_404(image_id)
    if not can_view_image(image, at=now, viewer=request.user):
        return serving.refusal()
    download = _download_or_none(image, size)
    if download is None:
        _queue_image_downloads(image)
        return _not_ready("download")
    download.image = image
    response = _attachment(download)
    if serving.is_personal(request) or request.user.is_authenticated or response.status_code != 200:
        return serving.keep_private(response)
    return serving.share_publicly(request, response, image_ids=[image.pk], item_ids=serving.image_users(image))


@require_safe
def link_image_download(request, token: str, image_id: int, size: str):
    """A size of one of the link's own item's images, through the link, logged as a download."""
    now = timezone.now()
    link = _link_or_404(token)
    if terms_outstanding(link):
        return redirect(link.get_absolute_url())
    image = _image_or_404(image_id)
    if not link_opens_image(link, image, at=now):
        return _private(serving.refusal())
    download = _download_or_none(image, size)
    if download is None:
        _queue_image_downloads(image)
        return _private(_not_ready("download"))
    record_access(link, kind=AccessLogEntry.Kind.DOWNLOAD, at=now, request=request)
    download.image = image
    return _private(_attachment(download))


# Gallery ZIPs


def _item_or_404(item_id: int):
    item = apps.get_model("newsroom", "NewsItemPage").objects.filter(pk=item_id).first()
    if item is None:
        raise Http404("No such item.")
    return item


def _zip_response(item):
    """The item's current ZIP, or None having queued one; a 404 for an item with no gallery."""
    from presscentre.mediakit.archives import current_archive, gallery_entries, queue_archive

    archive = current_archive(item)
    if archive is None:
        if not gallery_entries(item):
            raise Http404("This item has no files to download.")
        queue_archive(item)
        return None
    filename = f"{item.slug}-media.zip"
    return serving.file_response(archive.file.storage, archive.file.name, as_attachment=True, filename=filename)


@require_safe
def item_zip(request, item_id: int):
    """ "Download all": the item's gallery as one ZIP with its CREDITS.txt, for anyone who may see the item."""
    now = timezone.now()
    item = _item_or_404(item_id)
    # The rule's object check, and for readers the item's place in the public tree (a private section's items
    # are for those who have its password or login, never in a shared ZIP).
    staff = is_staff_viewer(request.user)
    if not can_view(item, at=now, viewer=request.user) or (
        not staff and not public_items(now).filter(pk=item.pk).exists()
    ):
        return serving.refusal("No such item.")
    response = _zip_response(item)
    if response is None:
        return _not_ready("ZIP")
    if serving.is_personal(request) or request.user.is_authenticated or response.status_code != 200:
        return serving.keep_private(response)
    return serving.share_publicly(request, response, item_ids=[item.pk])


@require_safe
def link_item_zip(request, token: str, item_id: int):
    """The link's own item's ZIP, through the link, logged as a download."""
    now = timezone.now()
    link = _link_or_404(token)
    if terms_outstanding(link):
        return redirect(link.get_absolute_url())
    if link.item_id != item_id or not can_view(link.item, at=now, token=link.token):
        return _private(serving.refusal("No such item."))
    response = _zip_response(link.item)
    if response is None:
        return _private(_not_ready("ZIP"))
    record_access(link, kind=AccessLogEntry.Kind.DOWNLOAD, at=now, request=request)
    return _private(response)


def _link_or_404(token: str):
    link = find_access_link(token)
    if link is None:
        raise Http404("No such page.")
    return link
