"""The subscriber's side of alerts: signing up, confirming by email, changing what is followed, pausing,
unsubscribing and being forgotten.

A sign-up is double opt-in: it makes (or updates) a pending subscription and queues one confirmation email; nothing
else is sent to the address until the link in that email is followed. Signing up again with an address that is
already confirmed keeps its alerts as they are and stores the new choices in `pending_choices`, applied only when
the new confirmation is followed. Whatever the address's state, the sign-up answers the same, so the form cannot be
used to learn who is subscribed; and at most one confirmation goes to an address per hour.

Sign-ups are counted per address and per client address in the shared cache, under keyed hashes (no address, email
or IP is stored). When the shared cache cannot be reached the count is unknown, and sign-ups are refused with "try
again shortly" (fail closed): each accepted sign-up may send an email to an address somebody typed, and without the
count one client could make the site mail thousands of strangers.
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac

from presscentre.alerts import tokens
from presscentre.alerts.models import (
    CONFIRMATION_EMAIL_INTERVAL,
    CONFIRMATION_EXPIRES_AFTER,
    ITEM_TYPES,
    AlertSettings,
    Subscription,
    new_key,
)
from presscentre.core.urls_public import public_base_url
from presscentre.distribution.models import Delivery, Distribution, MediaContact, normalise_email
from presscentre.pagecache.cache_backend import CacheUnavailable, strict

logger = logging.getLogger(__name__)

SOURCE_FOOTER = "footer"
SOURCE_PAGE = "subscribe page"

# Sign-ups counted per fixed window: per address typed, and per client address (one office may sign up several).
RATE_WINDOW = timedelta(hours=1)
SIGN_UPS_PER_ADDRESS = 5
SIGN_UPS_PER_CLIENT = 20
RATE_PREFIX = "alerts:sign-up:"
RATE_LIMITED_MESSAGE = (
    "There have been too many sign-ups from here or for this address in the last hour. "
    "What you typed is kept: please try again later."
)
PAUSED_MESSAGE = "Sign-ups are paused for a minute while the site recovers. What you typed is kept: please try again."

# A confirmation email the mail server did not take is tried again after these waits, then given up: the sign-up
# stays, and signing up again (an hour after the first email was queued) sends a new one.
CONFIRMATION_RETRY_DELAYS = (
    timedelta(seconds=10),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(days=1),
)


class SignUpRefused(Exception):
    """The sign-up was not taken; `message` says why in words for the reader, `status` is the HTTP answer."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SignUpRateLimited(SignUpRefused):
    status = 429


class SignUpsPaused(SignUpRefused):
    status = 503


# -- what a subscriber follows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """What an address follows and how often. `types` holds model names from ITEM_TYPES."""

    everything: bool = False
    types: tuple[str, ...] = ()
    categories: tuple[int, ...] = ()
    people: tuple[int, ...] = ()
    frequency: str = Subscription.Frequency.IMMEDIATE

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.types or self.categories or self.people)

    def as_json(self) -> dict:
        return {
            "everything": self.everything,
            "types": list(self.types),
            "categories": list(self.categories),
            "people": list(self.people),
            "frequency": self.frequency,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Choices":
        known_types = {model for model, _label in ITEM_TYPES}
        frequency = data.get("frequency")
        return cls(
            everything=bool(data.get("everything")),
            types=tuple(model for model in data.get("types", ()) if model in known_types),
            categories=tuple(int(pk) for pk in data.get("categories", ())),
            people=tuple(int(pk) for pk in data.get("people", ())),
            frequency=frequency if frequency in Subscription.Frequency.values else Subscription.Frequency.IMMEDIATE,
        )

    @classmethod
    def of(cls, subscription: Subscription) -> "Choices":
        """What `subscription` follows now (not its pending choices)."""
        type_names = dict(ContentType.objects.filter(pk__in=subscription.types.all()).values_list("pk", "model"))
        return cls(
            everything=subscription.everything,
            types=tuple(model for model, _label in ITEM_TYPES if model in type_names.values()),
            categories=tuple(subscription.categories.values_list("pk", flat=True)),
            people=tuple(subscription.people.values_list("pk", flat=True)),
            frequency=subscription.frequency,
        )


@dataclass(frozen=True)
class ChoicesInWords:
    everything: bool
    types: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    frequency: str = ""


def describe(choices: Choices) -> ChoicesInWords:
    """The names of what `choices` follow, for the confirmation email and the pages."""
    from presscentre.newsroom.models import Category, Person

    labels = dict(ITEM_TYPES)
    return ChoicesInWords(
        everything=choices.everything,
        types=[labels[model] for model in choices.types],
        categories=list(Category.objects.filter(pk__in=choices.categories).values_list("name", flat=True)),
        people=list(Person.objects.filter(pk__in=choices.people).values_list("name", flat=True)),
        frequency=Subscription.Frequency(choices.frequency).label,
    )


def item_type_content_types(models: tuple[str, ...] | list[str]) -> list[ContentType]:
    return [ContentType.objects.get_by_natural_key("newsroom", model) for model in models]


def _apply(subscription: Subscription, choices: Choices) -> None:
    """Make `subscription` follow `choices` (its own fields saved by the caller)."""
    from presscentre.newsroom.models import Category, Person

    subscription.everything = choices.everything
    subscription.frequency = choices.frequency
    subscription.types.set(item_type_content_types(choices.types))
    subscription.categories.set(Category.objects.filter(pk__in=choices.categories))
    subscription.people.set(Person.objects.filter(pk__in=choices.people))


# -- sign-up -----------------------------------------------------------------------------------------------------


def consent_text_for(request) -> str:
    """The consent text of the request's site, from the site memory: the footer of every page shows it, and a
    query per page for it would be a query per page."""
    from wagtail.models import Site

    from presscentre.core.site_memo import memoised

    site = Site.find_for_request(request)
    if site is None:
        return AlertSettings().consent_text
    return memoised(("alerts-consent-text", site.pk), lambda: AlertSettings.for_site(site).consent_text)


def forget_remembered_settings(sender, instance, created=False, raw=False, **kwargs) -> None:
    """AlertSettings changed: every process reads the consent text again (its creation on first read changes
    nothing shown)."""
    from presscentre.core.site_memo import bump

    if not created and not raw:
        bump()


def _rate_key(kind: str, value: str, at: datetime) -> tuple[str, int]:
    window = int(RATE_WINDOW.total_seconds())
    # A keyed hash: the cache holds neither the address nor the IP, and nobody without the site's key can tell
    # which address a counter belongs to.
    digest = salted_hmac(RATE_PREFIX, f"{kind}:{value}", algorithm="sha256").hexdigest()[:40]
    return f"{RATE_PREFIX}{kind}:{digest}:{int(at.timestamp()) // window}", window


def _count(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: the first of a new window
        cache.set(key, 1, timeout=window)
        return 1


def check_sign_up_rate(email: str, *, client: str, at: datetime) -> None:
    """Count one sign-up for `email` from `client`; raise SignUpRateLimited past either limit in this window, or
    SignUpsPaused when the shared cache cannot be reached (the count is unknown, so the sign-up is refused)."""
    try:
        with strict():
            by_address = _count(*_rate_key("address", normalise_email(email), at))
            by_client = _count(*_rate_key("client", client or "unknown", at))
    except CacheUnavailable:
        raise SignUpsPaused(PAUSED_MESSAGE) from None
    if by_address > SIGN_UPS_PER_ADDRESS or by_client > SIGN_UPS_PER_CLIENT:
        raise SignUpRateLimited(RATE_LIMITED_MESSAGE)


def is_expired(subscription: Subscription, *, at: datetime) -> bool:
    """An unconfirmed sign-up whose last confirmation email (or the sign-up itself) is more than 7 days old."""
    if subscription.state != Subscription.State.PENDING:
        return False
    last = max(filter(None, [subscription.created_at, subscription.confirmation_sent_at]))
    return last <= at - CONFIRMATION_EXPIRES_AFTER


def sign_up(email: str, choices: Choices, *, consent_text: str, consent_source: str, at: datetime) -> Subscription:
    """Take a sign-up for `email` and queue its confirmation email (at most one per address per hour).

    A new address gets a pending subscription with `choices`; a pending one takes the new choices; a confirmed
    (or paused) one keeps its alerts and holds the new choices in `pending_choices` until they are confirmed.
    Consent (when, the words shown, which form) is recorded with the choices it applies to. Safe to repeat: one
    subscription per address, whatever the letter case, and never a second email within the hour.
    """
    email = normalise_email(email)
    consent = {"consent_at": at, "consent_text": consent_text, "consent_source": consent_source}
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(email=email).first()
        if subscription is None:
            try:
                with transaction.atomic():
                    subscription = Subscription.objects.create(
                        email=email,
                        everything=choices.everything,
                        frequency=choices.frequency,
                        created_at=at,
                        **consent,
                    )
                    _apply(subscription, choices)
            except IntegrityError:  # signed up at the same instant by another request: update that one
                subscription = Subscription.objects.select_for_update().get(email=email)
                _update_sign_up(subscription, choices, consent, at=at)
        else:
            _update_sign_up(subscription, choices, consent, at=at)
        _queue_confirmation(subscription, at=at)
    return subscription


def _update_sign_up(subscription: Subscription, choices: Choices, consent: dict, *, at: datetime) -> None:
    if subscription.state == Subscription.State.PENDING:
        if is_expired(subscription, at=at):
            # Treated as a new sign-up: the old confirmation links stop working and the 7 days start again.
            subscription.created_at, subscription.key, subscription.confirmation_sent_at = at, new_key(), None
        for name, value in consent.items():
            setattr(subscription, name, value)
        _apply(subscription, choices)
        subscription.save()
        return
    subscription.pending_choices = {
        **choices.as_json(),
        "consent_at": at.isoformat(),
        "consent_text": consent["consent_text"],
        "consent_source": consent["consent_source"],
    }
    subscription.save(update_fields=["pending_choices"])


def _queue_confirmation(subscription: Subscription, *, at: datetime) -> bool:
    """Claim this hour's confirmation email for the address and queue it with the transaction; False if an email
    went less than an hour ago."""
    from presscentre.alerts.tasks import send_confirmation_task
    from presscentre.core.worker import enqueue_with_transaction

    last = subscription.confirmation_sent_at
    if last is not None and last > at - CONFIRMATION_EMAIL_INTERVAL:
        return False
    if not Subscription.objects.filter(pk=subscription.pk, confirmation_sent_at=last).update(confirmation_sent_at=at):
        return False
    subscription.confirmation_sent_at = at
    enqueue_with_transaction(send_confirmation_task, subscription.pk, at.isoformat(), 1)
    return True


# -- the confirmation email --------------------------------------------------------------------------------------


def _default_site():
    from wagtail.models import Site

    return Site.objects.filter(is_default_site=True).first()


def confirmation_message(subscription: Subscription, *, stamp: str) -> EmailMultiAlternatives:
    """The confirmation email for `subscription`: what it will follow, and the link that confirms it."""
    from django.conf import settings

    from presscentre.newsroom.models import PressCentreSettings

    site = _default_site()
    alert_settings = AlertSettings.for_site(site) if site else AlertSettings()
    organisation = PressCentreSettings.for_site(site).organisation_name if site else settings.WAGTAIL_SITE_NAME
    updating = subscription.state != Subscription.State.PENDING
    choices = Choices.from_json(subscription.pending_choices) if updating else Choices.of(subscription)
    context = {
        "organisation": organisation,
        "introduction": alert_settings.confirmation_text,
        "choices": describe(choices),
        "updating": updating,
        "confirm_url": tokens.confirm_url(subscription),
        "expires_days": CONFIRMATION_EXPIRES_AFTER.days,
    }
    domain = urlsplit(public_base_url()).hostname or "presscentre.invalid"
    # The same Message-ID however often the task runs for this email: a repeat is recognisably the same message.
    sent_at = datetime.fromisoformat(stamp)
    message = EmailMultiAlternatives(
        subject=f"Confirm your alerts from {organisation}",
        body=render_to_string("emails/alerts_confirmation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.email],
        headers={"Message-ID": f"<alerts-confirm-{subscription.pk}-{int(sent_at.timestamp() * 1000)}@{domain}>"},
    )
    message.attach_alternative(render_to_string("emails/alerts_confirmation.html", context), "text/html")
    return message


def confirmation_retry_delay(attempt: int) -> timedelta | None:
    """How long after its `attempt`-th failed try a confirmation email is tried again (None: give up)."""
    if attempt < 1 or attempt > len(CONFIRMATION_RETRY_DELAYS):
        return None
    return CONFIRMATION_RETRY_DELAYS[attempt - 1]


def deliver_confirmation(subscription_id: int, *, stamp: str, attempt: int, at: datetime) -> str:
    """Send the confirmation email queued at `stamp`, or queue its next try after a failure.

    Returns "sent", "retrying", "failed" (tries used up; the sign-up stays), "superseded" (a later email was
    queued since, or none is due), or "gone" (erased or expired). Safe to run again: a rerun of a sent email sends
    it again with the same Message-ID, and only while it is the address's latest.
    """
    from django_tasks import default_task_backend

    from presscentre.alerts.tasks import send_confirmation_task

    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return "gone"
    if subscription.confirmation_sent_at != datetime.fromisoformat(stamp):
        return "superseded"
    if subscription.state != Subscription.State.PENDING and not subscription.pending_choices:
        return "superseded"
    try:
        confirmation_message(subscription, stamp=stamp).send()
    except Exception as error:
        delay = confirmation_retry_delay(attempt)
        if delay is None or not default_task_backend.supports_defer:
            logger.error("A confirmation email for alerts could not be sent (try %d: %s); giving up", attempt, error)
            return "failed"
        send_confirmation_task.using(run_after=at + delay).enqueue(subscription_id, stamp, attempt + 1)
        logger.warning("A confirmation email for alerts failed (try %d: %s); trying again in %s", attempt, error, delay)
        return "retrying"
    return "sent"


# -- confirming --------------------------------------------------------------------------------------------------


def read_confirm_token(token: str) -> tuple[Subscription | None, str]:
    """The sign-up a confirmation link names, with "ok"; or None with "expired" (older than 7 days, or its
    unconfirmed sign-up removed since) or "invalid" (not one of our links)."""
    try:
        signing.loads(token, salt=tokens.CONFIRM_SALT, max_age=CONFIRMATION_EXPIRES_AFTER)
    except signing.SignatureExpired:
        return None, "expired"
    except (signing.BadSignature, ValueError, TypeError):
        return None, "invalid"
    subscription = tokens.subscription_for_confirm_token(token)
    return (subscription, "ok") if subscription is not None else (None, "expired")


def choices_to_confirm(subscription: Subscription) -> Choices:
    """What confirming `subscription` now would make it follow."""
    if subscription.state != Subscription.State.PENDING and subscription.pending_choices:
        return Choices.from_json(subscription.pending_choices)
    return Choices.of(subscription)


def _contact_for(email: str, *, at: datetime) -> MediaContact:
    """The media contact who is this address: the existing one, kept as it is (an earlier opt-out is lifted, since
    the address has just asked for our email), or a new one that consented today."""
    contact = MediaContact.objects.select_for_update().filter(email=email).first()
    if contact is None:
        try:
            with transaction.atomic():
                return MediaContact.objects.create(
                    name="",
                    email=email,
                    consent_basis=MediaContact.ConsentBasis.CONSENT,
                    consent_date=timezone.localdate(at),
                    created_at=at,
                )
        except IntegrityError:
            contact = MediaContact.objects.select_for_update().get(email=email)
    if contact.opted_out:
        MediaContact.objects.filter(pk=contact.pk).update(opted_out=False, opted_out_at=None)
        contact.opted_out, contact.opted_out_at = False, None
    return contact


def confirm(subscription: Subscription, *, at: datetime) -> str:
    """Follow the confirmation link: a pending sign-up becomes active and is linked to its media contact; an active
    or paused one takes its pending choices (and is active again).

    Returns "confirmed", "updated", "already" (nothing waiting to be confirmed), "expired" or "gone". Safe to
    repeat: a second call answers "already".
    """
    with transaction.atomic():
        current = Subscription.objects.select_for_update().filter(pk=subscription.pk, key=subscription.key).first()
        if current is None:
            return "gone"
        if current.state == Subscription.State.PENDING:
            if is_expired(current, at=at):
                return "expired"
            current.contact = _contact_for(current.email, at=at)
            current.state, current.confirmed_at = Subscription.State.ACTIVE, at
            current.save(update_fields=["contact", "state", "confirmed_at"])
            return "confirmed"
        if not current.pending_choices:
            return "already"
        pending = current.pending_choices
        _apply(current, Choices.from_json(pending))
        consent_at = datetime.fromisoformat(pending["consent_at"]) if pending.get("consent_at") else at
        current.consent_at, current.consent_text = consent_at, pending.get("consent_text", "")
        current.consent_source = pending.get("consent_source", "")
        current.pending_choices = {}
        current.state, current.paused_at = Subscription.State.ACTIVE, None
        current.contact = _contact_for(current.email, at=at)
        current.save()
        return "updated"


# -- managing ----------------------------------------------------------------------------------------------------


def change_choices(subscription: Subscription, choices: Choices, *, at: datetime) -> None:
    """Follow `choices` from now on (from the manage page, whose link proves the address)."""
    with transaction.atomic():
        _apply(subscription, choices)
        subscription.save(update_fields=["everything", "frequency"])


def pause(subscription: Subscription, *, at: datetime) -> bool:
    """Stop alerts until resumed; False if it was not active. Safe to repeat."""
    paused = Subscription.objects.filter(pk=subscription.pk, state=Subscription.State.ACTIVE).update(
        state=Subscription.State.PAUSED, paused_at=at
    )
    subscription.refresh_from_db(fields=["state", "paused_at"])
    return bool(paused)


def resume(subscription: Subscription, *, at: datetime) -> bool:
    """Send alerts again after a pause; False if it was not paused. Safe to repeat."""
    resumed = Subscription.objects.filter(pk=subscription.pk, state=Subscription.State.PAUSED).update(
        state=Subscription.State.ACTIVE, paused_at=None
    )
    subscription.refresh_from_db(fields=["state", "paused_at"])
    return bool(resumed)


def unsubscribe(subscription: Subscription, *, at: datetime) -> bool:
    """Delete the subscription and opt its media contact out of all our email (the press office's releases too:
    the opt-out is the person's). Returns False if it was already gone; safe to repeat."""
    with transaction.atomic():
        if subscription.contact_id:
            MediaContact.objects.filter(pk=subscription.contact_id, opted_out=False).update(
                opted_out=True, opted_out_at=at
            )
        deleted, _ = Subscription.objects.filter(pk=subscription.pk).delete()
    return bool(deleted)


def erase(subscription: Subscription, *, at: datetime) -> dict[str, int]:
    """ "Forget me": delete the subscription, the media contact who is this address, and every delivery record
    of that contact or address, in one transaction.

    Each deleted delivery's status is first added to its distribution's `erased` counts, so sending totals stay
    right. Returns the deleted deliveries counted by status. Safe to repeat (the second call finds nothing).
    """
    email = normalise_email(subscription.email)
    with transaction.atomic():
        contact_ids = set(MediaContact.objects.filter(email=email).values_list("pk", flat=True))
        if subscription.contact_id:
            contact_ids.add(subscription.contact_id)
        deliveries = Delivery.objects.filter(Q(contact_id__in=contact_ids) | Q(email=email))
        # Locked as read, so a delivery changing status meanwhile (a send in progress) is counted as it ends up.
        rows = list(deliveries.select_for_update().values_list("pk", "distribution_id", "status"))
        by_distribution: dict[int, Counter] = defaultdict(Counter)
        for _pk, distribution_id, status in rows:
            by_distribution[distribution_id][status] += 1
        distributions = list(
            Distribution.objects.select_for_update().filter(pk__in=by_distribution).only("pk", "erased")
        )
        for distribution in distributions:
            erased = Counter({status: int(n) for status, n in (distribution.erased or {}).items()})
            erased.update(by_distribution[distribution.pk])
            distribution.erased = dict(erased)
        if distributions:
            Distribution.objects.bulk_update(distributions, ["erased"])
        Delivery.objects.filter(pk__in=[pk for pk, _distribution, _status in rows]).delete()
        Subscription.objects.filter(pk=subscription.pk).delete()
        MediaContact.objects.filter(pk__in=contact_ids).delete()
    return dict(Counter(status for _pk, _distribution, status in rows))


# -- the worker's chore ------------------------------------------------------------------------------------------


def delete_expired_sign_ups(*, at: datetime) -> int:
    """Delete unconfirmed sign-ups whose last confirmation email is more than 7 days old. Returns how many; safe
    in several workers at once."""
    cutoff = at - CONFIRMATION_EXPIRES_AFTER
    expired = Subscription.objects.filter(state=Subscription.State.PENDING, created_at__lte=cutoff).filter(
        Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lte=cutoff)
    )
    deleted, by_model = expired.delete()
    return by_model.get(Subscription._meta.label, 0)
