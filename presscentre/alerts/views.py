"""The subscriber's pages: sign up, check your email, confirm, manage, unsubscribe, forget me. No account.

The sign-up takes posts from the footer form of every page, which the page cache serves to everyone and so carries
no CSRF token: it is exempt, which is harmless because a sign-up only ever sends a confirmation email (double
opt-in), and it is rate-limited. One-click unsubscribe is exempt as RFC 8058 requires (mail programs post with no
page). The other pages are opened by a signed link from an email and check the CSRF token as usual. Every one of
them is private: never stored by a shared cache, not indexed, and no referrer takes the token to another site.
"""

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from presscentre.alerts import subscribing, tokens
from presscentre.alerts.forms import ManageForm, SubscribeForm
from presscentre.alerts.models import CONFIRMATION_EXPIRES_AFTER, AlertSettings, Subscription
from presscentre.core.client_address import client_address
from presscentre.embargo.services import public_items

ONE_CLICK_BODY = "List-Unsubscribe=One-Click"


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token never leaves with a link to another site; "no-referrer" would also make the browser send
    # "Origin: null" with our own forms' posts, which the CSRF check refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


def _page(request, template: str, context: dict | None = None, *, status: int = 200):
    return _private(render(request, template, context or {}, status=status))


def _offered(*, at, subscription: Subscription | None = None) -> dict:
    """The topics and people a reader may choose: those with public items (so an embargoed item's topic stays
    unnamed), and whatever the subscription already follows."""
    from presscentre.newsroom.models import Category, Person

    items = public_items(at)
    offered = {}
    for name, model in (("categories", Category), ("people", Person)):
        public = Q(pk__in=model.objects.linked_to(items).values("pk"))
        followed = Q(subscriptions=subscription) if subscription is not None else Q(pk__in=[])
        offered[name] = model.objects.filter(public | followed).distinct().order_by("name")
    return offered


def _bad_link(request, reason: str = "invalid"):
    return _page(request, "alerts/bad_link.html", {"reason": reason}, status=404)


# -- sign-up -----------------------------------------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe_view(request):
    at = timezone.now()
    consent_text = AlertSettings.for_request(request).consent_text
    if request.method != "POST":
        form = SubscribeForm(**_offered(at=at))
        return _page(request, "alerts/subscribe.html", {"form": form, "consent_text": consent_text})
    form = SubscribeForm(request.POST, **_offered(at=at))
    context = {"form": form, "consent_text": consent_text}
    if not form.is_valid():
        return _page(request, "alerts/subscribe.html", context)
    email = form.cleaned_data["email"]
    try:
        subscribing.check_sign_up_rate(email, client=client_address(request), at=at)
    except subscribing.SignUpRefused as refusal:
        context["refusal"] = refusal.message
        return _page(request, "alerts/subscribe.html", context, status=refusal.status)
    subscribing.sign_up(email, form.choices(), consent_text=consent_text, consent_source=form.consent_source(), at=at)
    return redirect(reverse("alerts:sent"), permanent=False)


@require_http_methods(["GET", "HEAD"])
def sent_view(request):
    return _page(request, "alerts/sent.html", {"expires_days": CONFIRMATION_EXPIRES_AFTER.days})


# -- confirm -----------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def confirm_view(request, token: str):
    at = timezone.now()
    subscription, state = subscribing.read_confirm_token(token)
    if subscription is None:
        return _bad_link(request, state)
    if request.method == "POST":
        outcome = subscribing.confirm(subscription, at=at)
        if outcome in ("expired", "gone"):
            return _bad_link(request, "expired")
        context = {"outcome": outcome, "manage_url": reverse("alerts:manage", args=[tokens.manage_token(subscription)])}
        return _page(request, "alerts/confirmed.html", context)
    if subscribing.is_expired(subscription, at=at):
        return _bad_link(request, "expired")
    waiting = subscription.state == Subscription.State.PENDING or bool(subscription.pending_choices)
    context = {
        "token": token,
        "waiting": waiting,
        "updating": subscription.state != Subscription.State.PENDING,
        "choices": subscribing.describe(subscribing.choices_to_confirm(subscription)),
        "manage_url": reverse("alerts:manage", args=[tokens.manage_token(subscription)]),
    }
    return _page(request, "alerts/confirm.html", context)


# -- manage ------------------------------------------------------------------------------------------------------

SAVED_MESSAGES = {
    "saved": "Your changes are saved.",
    "paused": "Your alerts are paused. Nothing will be sent until you resume them.",
    "resumed": "Your alerts are on again.",
}


@require_http_methods(["GET", "HEAD", "POST"])
def manage_view(request, token: str):
    at = timezone.now()
    subscription = tokens.subscription_for_manage_token(token)
    if subscription is None:
        return _bad_link(request)
    here = reverse("alerts:manage", args=[token])
    offered = _offered(at=at, subscription=subscription)
    form = None
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "pause":
            subscribing.pause(subscription, at=at)
            return redirect(f"{here}?done=paused")
        if action == "resume":
            subscribing.resume(subscription, at=at)
            return redirect(f"{here}?done=resumed")
        form = ManageForm(request.POST, **offered)
        if form.is_valid():
            subscribing.change_choices(subscription, form.choices(), at=at)
            return redirect(f"{here}?done=saved")
    if form is None:
        current = subscribing.Choices.of(subscription)
        initial = {
            "everything": current.everything,
            "types": list(current.types),
            "categories": list(current.categories),
            "people": list(current.people),
            "frequency": current.frequency,
        }
        form = ManageForm(initial=initial, **offered)
    context = {
        "form": form,
        "subscription": subscription,
        "token": token,
        "paused": subscription.state == Subscription.State.PAUSED,
        "pending": subscription.state == Subscription.State.PENDING,
        "done": SAVED_MESSAGES.get(request.GET.get("done", "")) if request.method != "POST" else None,
    }
    return _page(request, "alerts/manage.html", context)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request, token: str):
    """GET shows a button (link scanners fetch GET and must not unsubscribe anyone); POST unsubscribes, from that
    button or from a mail client's RFC 8058 one-click POST, which gets an empty 200."""
    subscription = tokens.subscription_for_manage_token(token)
    one_click = request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click"
    if subscription is None:
        return _private(HttpResponse(status=404)) if one_click else _bad_link(request)
    if request.method == "POST":
        subscribing.unsubscribe(subscription, at=timezone.now())
        if one_click:
            return _private(HttpResponse(status=200))
        return _page(request, "alerts/unsubscribed.html")
    return _page(request, "alerts/unsubscribe.html", {"token": token})


@require_http_methods(["GET", "HEAD", "POST"])
def forget_view(request, token: str):
    """ "Forget me": GET asks, POST erases the subscriber, their media contact and their delivery records."""
    subscription = tokens.subscription_for_manage_token(token)
    if subscription is None:
        return _bad_link(request)
    if request.method == "POST":
        subscribing.erase(subscription, at=timezone.now())
        return _page(request, "alerts/erased.html")
    return _page(request, "alerts/forget.html", {"token": token})
