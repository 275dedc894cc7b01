"""Signed links for subscribers: confirm a sign-up, manage alerts, unsubscribe in one click. No login.

A link names the subscription and its `key`; it cannot be forged, and an erased subscription's links open nothing.
A confirmation link lasts as long as an unconfirmed sign-up (7 days); a manage link lasts as long as the subscription.
"""

from django.core import signing
from django.urls import reverse

from presscentre.alerts.models import CONFIRMATION_EXPIRES_AFTER, Subscription
from presscentre.core.urls_public import public_base_url

MANAGE_SALT = "presscentre.alerts.manage"
CONFIRM_SALT = "presscentre.alerts.confirm"


def manage_token(subscription: Subscription) -> str:
    return signing.dumps([subscription.pk, subscription.key], salt=MANAGE_SALT)


def confirm_token(subscription: Subscription) -> str:
    return signing.dumps([subscription.pk, subscription.key], salt=CONFIRM_SALT)


def _subscription(token: str, *, salt: str, max_age=None) -> Subscription | None:
    try:
        pk, key = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Subscription.objects.filter(pk=pk, key=key).first()


def subscription_for_manage_token(token: str) -> Subscription | None:
    """The subscription a manage or unsubscribe link names, or None (tampered with, or erased since)."""
    return _subscription(token, salt=MANAGE_SALT)


def subscription_for_confirm_token(token: str) -> Subscription | None:
    """The sign-up a confirmation link names, or None (tampered with, older than 7 days, or erased)."""
    return _subscription(token, salt=CONFIRM_SALT, max_age=CONFIRMATION_EXPIRES_AFTER)


def _absolute(path: str, base_url: str | None) -> str:
    return f"{(base_url or public_base_url()).rstrip('/')}{path}"


def manage_url(subscription: Subscription, *, base_url: str | None = None) -> str:
    return _absolute(reverse("alerts:manage", args=[manage_token(subscription)]), base_url)


def unsubscribe_url(subscription: Subscription, *, base_url: str | None = None) -> str:
    """The RFC 8058 one-click address (POST unsubscribes; GET shows a button that does)."""
    return _absolute(reverse("alerts:unsubscribe", args=[manage_token(subscription)]), base_url)


def confirm_url(subscription: Subscription, *, base_url: str | None = None) -> str:
    return _absolute(reverse("alerts:confirm", args=[confirm_token(subscription)]), base_url)
