"""The public one-click unsubscribe page: no login, a signed token names the contact.

GET shows a confirmation button (link scanners and previews fetch GET, and must not unsubscribe anyone);
POST unsubscribes, whether from that button or from a mail client's RFC 8058 one-click POST, which carries no
CSRF token, hence the exemption: the signed token is what proves the request comes from the recipient.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from presscentre.distribution.services import contact_for_token, unsubscribe


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request, token: str):
    if request.method == "POST":
        contact = unsubscribe(token, at=timezone.now())
        if contact is None:
            raise Http404("No such page.")
        return _private(render(request, "distribution/unsubscribed.html", {}))
    contact = contact_for_token(token)
    if contact is None:
        raise Http404("No such page.")
    context = {"token": token, "already": contact.opted_out}
    return _private(render(request, "distribution/unsubscribe.html", context))
