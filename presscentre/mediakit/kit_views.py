"""The media kit page (being written)."""

from django.http import Http404


def media_kit(request):
    raise Http404("Not yet.")
