"""Serving image files, downloads and ZIPs under the embargo rule (being written)."""

from django.http import Http404


def image_download(request, image_id: int, size: str):
    raise Http404("Not yet.")


def item_zip(request, item_id: int):
    raise Http404("Not yet.")
