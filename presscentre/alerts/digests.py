"""Daily and weekly digests: what became public since the last digest, for the subscribers who follow it.

The site's alert settings choose the moment (a daily time; a weekly day and time) in the site's zone. Every minute
the worker's chore `queue_due_digests` looks at the latest moment of each frequency; once it has passed and no
digest covers it, it writes the digest (a `Distribution` of kind DAILY_DIGEST or WEEKLY_DIGEST, one per kind and
`period_end`, a unique constraint) with its sending queued. The window runs from the previous digest's end (or a
day or a week before) to that moment, so a worker that was down sends one late digest covering everything.

Its recipients are the reachable active subscribers of that frequency who follow at least one item of the window;
nobody gets an empty digest. Each gets only the window's items they follow (emails.DigestEmail).
"""

import logging
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q

from presscentre.alerts.alerting import deliveries_for, public_since, public_since_after, reachable_subscriptions
from presscentre.alerts.models import AlertSettings, Subscription
from presscentre.core.dates import admin_instant
from presscentre.distribution.models import Delivery, Distribution
from presscentre.embargo.services import public_items

logger = logging.getLogger(__name__)

DIGESTS = {
    Distribution.Kind.DAILY_DIGEST: (Subscription.Frequency.DAILY, timedelta(days=1), "daily"),
    Distribution.Kind.WEEKLY_DIGEST: (Subscription.Frequency.WEEKLY, timedelta(days=7), "weekly"),
}


def _site():
    from wagtail.models import Site

    return Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()


def site_zone(site) -> zoneinfo.ZoneInfo:
    from presscentre.newsroom.models import PressCentreSettings

    return PressCentreSettings.for_site(site).zone


def _local_moment(day: date, at_time: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """`day` at `at_time` on the site's wall clock, as an instant. A time the clocks skip (spring forward) is read
    with the offset before the change, i.e. an hour later on the new clock; a time that happens twice (autumn) is
    its first occurrence."""
    return datetime.combine(day, at_time.replace(microsecond=0), tzinfo=zone).astimezone(UTC)


def latest_moment(kind: str, *, at: datetime, alert_settings, zone: zoneinfo.ZoneInfo) -> datetime:
    """The latest digest moment of `kind` at or before `at`, in the site's zone."""
    today = at.astimezone(zone).date()
    if kind == Distribution.Kind.DAILY_DIGEST:
        moment = _local_moment(today, alert_settings.daily_digest_time, zone)
        if moment > at:
            moment = _local_moment(today - timedelta(days=1), alert_settings.daily_digest_time, zone)
        return moment
    day = today - timedelta(days=(today.weekday() - alert_settings.weekly_digest_day) % 7)
    moment = _local_moment(day, alert_settings.weekly_digest_time, zone)
    if moment > at:
        moment = _local_moment(day - timedelta(days=7), alert_settings.weekly_digest_time, zone)
    return moment


def queue_due_digests(*, at: datetime) -> list[Distribution]:
    """The worker's chore (every minute): write and queue each digest whose moment has passed. Returns them.

    Safe in several workers at once: the unique constraint keeps one digest per kind and moment."""
    site = _site()
    if site is None:
        return []
    alert_settings = AlertSettings.for_site(site)
    zone = site_zone(site)
    written = []
    for kind, (_frequency, length, _label) in DIGESTS.items():
        moment = latest_moment(kind, at=at, alert_settings=alert_settings, zone=zone)
        digests = Distribution.objects.filter(kind=kind)
        if digests.filter(period_end__gte=moment).exists():
            continue  # sent already (or a later moment was, before the settings moved it earlier)
        previous = digests.order_by("-period_end").values_list("period_end", flat=True).first()
        digest = _write_digest(kind, start=previous or moment - length, end=moment, at=at)
        if digest is not None:
            written.append(digest)
    return written


def _write_digest(kind: str, *, start: datetime, end: datetime, at: datetime) -> Distribution | None:
    from presscentre.distribution.services import queue_sending

    try:
        with transaction.atomic():
            digest = Distribution.objects.create(
                kind=kind, status=Distribution.Status.SCHEDULED, period_start=start, period_end=end, send_at=end
            )
            queue_sending(digest.pk, now=at)
    except IntegrityError:
        return None  # another worker wrote it first
    return digest


def window_items(distribution: Distribution, *, at: datetime):
    """The items that became public in the digest's window and are public at `at`, newest first."""
    return (
        public_items(at)
        .filter(public_since_after(distribution.period_start))
        .annotate(public_since=public_since())
        .filter(public_since__gte=distribution.period_start, public_since__lt=distribution.period_end)
        .order_by("-public_since", "-pk")
    )


def digest_recipients(distribution: Distribution):
    """A delivery for each reachable active subscriber of the digest's frequency who follows at least one item of
    the window (its type, one of its categories or people, or everything). None when the window is empty."""
    from presscentre.newsroom.models import ItemCategory, ItemPerson

    frequency = DIGESTS[distribution.kind][0]
    items = window_items(distribution, at=distribution.period_end)
    item_ids = list(items.values_list("pk", flat=True))
    if not item_ids:
        return
    type_ids = set(items.values_list("content_type_id", flat=True))
    category_ids = set(ItemCategory.objects.filter(item_id__in=item_ids).values_list("category_id", flat=True))
    person_ids = set(ItemPerson.objects.filter(item_id__in=item_ids).values_list("person_id", flat=True))
    follows = (
        Q(everything=True)
        | Q(types__in=list(type_ids))
        | Q(categories__in=list(category_ids))
        | Q(people__in=list(person_ids))
    )
    subscriptions = reachable_subscriptions().filter(
        frequency=frequency, pk__in=Subscription.objects.filter(follows).values("pk")
    )
    yield from deliveries_for(distribution, subscriptions)


def compose_digest(distribution: Distribution, *, at: datetime):
    """The digest's email: the window's items public at `at` (read once), each subscriber's share chosen per
    message. None (the send is cancelled) when none is public any more but someone was to be sent them."""
    from presscentre.alerts.emails import DigestEmail, item_entry, organisation_name
    from presscentre.core.urls_public import public_base_url
    from presscentre.newsroom.models.items import category_links_with_categories, person_links_with_people

    items = list(
        window_items(distribution, at=at)
        .specific()
        .prefetch_related(category_links_with_categories(), person_links_with_people())
    )
    if not items and distribution.deliveries.filter(status=Delivery.Status.QUEUED).exists():
        return None  # its items were withdrawn since it was planned: cancelled, nobody gets an empty digest
    site = _site()
    zone = site_zone(site) if site else None
    label = DIGESTS[distribution.kind][2]
    return DigestEmail(
        entries=[item_entry(item) for item in items],
        frequency_label=label,
        organisation=organisation_name(site),
        base_url=public_base_url(),
        period_label=f"Published from {admin_instant(distribution.period_start, zone)} "
        f"to {admin_instant(distribution.period_end, zone)}",
    )
