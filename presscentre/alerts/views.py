"""The subscriber's pages: sign up, confirm, manage, unsubscribe (being built for issue 18)."""

from django.http import Http404


def subscribe_view(request):
    raise Http404


def confirm_view(request, token):
    raise Http404


def manage_view(request, token):
    raise Http404


def unsubscribe_view(request, token):
    raise Http404
