"""Immediate alerts: an item that becomes public is emailed at once to the subscribers who follow it.

The embargo app says when an item becomes public (`item_made_public`, at a publish with no embargo running or at
the lift, inside that transaction). `on_item_made_public` checks it by the one visibility rule and writes the item's
alert, a `Distribution` of kind ALERT, with its first sending run queued in the same transaction: the alert exists
only once the item is public, so nothing can send it earlier, and the worker sends it after the commit.

One alert per item, ever (a unique constraint): a republish, a second lift or the catch-up finds it there and adds
nothing, so nobody hears of the same item twice. An item that was public long ago (republished after deploy, or
public before alerts existed) is not alerted at all: only an item public for less than `ALERT_AFTER_PUBLIC_WITHIN`.

The sending machinery (distribution/sending.py) plans the recipients with `alert_recipients`, one delivery per
reachable subscriber however many of their topics match, and composes the email with `compose_alert`, which
applies the visibility rule again at the moment of sending (None cancels the alert: the item was withdrawn).

`catch_up_alerts`, a worker chore, gives an alert to any item that became public in the last hour and has none
(the receiver failed, or its savepoint was rolled back): a lost signal delays an alert, it does not lose it.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Min, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest

from presscentre.alerts.models import Subscription
from presscentre.distribution.models import BOUNCE_LIMIT, Delivery, Distribution
from presscentre.embargo.services import public_items

logger = logging.getLogger(__name__)

# An item is alerted only if it became public this recently: a republish of an older item alerts nobody.
ALERT_AFTER_PUBLIC_WITHIN = timedelta(days=1)
# How far back the catch-up looks for public items without an alert.
CATCH_UP_WINDOW = timedelta(hours=1)
# The catch-up's most items per run (it runs every 30 s): it queues work, it does not do it.
CATCH_UP_LIMIT = 200
# Subscribers are read this many at a time when a send plans its deliveries.
CHUNK_SIZE = 2000


def public_since():
    """When an item became public: its first publication, or its embargo's end if that came later."""
    return Greatest(F("first_published_at"), Coalesce(F("embargo_until"), F("first_published_at")))


def public_since_after(moment: datetime) -> Q:
    """Items whose `public_since` is at or after `moment`, said so that the indexes on both dates serve it."""
    return Q(first_published_at__gte=moment) | Q(embargo_until__gte=moment)


def item_public_since(item, *, at: datetime) -> datetime:
    moments = [moment for moment in (item.first_published_at, item.embargo_until) if moment is not None]
    return max(moments) if moments else at


def is_public(item, *, at: datetime) -> bool:
    """The one rule: is `item` public at `at`?"""
    return public_items(at).filter(pk=item.pk).exists()


def on_item_made_public(sender, *, item, at: datetime, **kwargs) -> None:
    """Receiver of embargo's `item_made_public`: the item's alert, queued with the transaction that made it public."""
    if at - item_public_since(item, at=at) > ALERT_AFTER_PUBLIC_WITHIN:
        return  # public long ago and published again: not news
    create_alert(item, at=at)


def create_alert(item, *, at: datetime) -> Distribution | None:
    """Write `item`'s alert, due at `at`, and queue its sending, if the item is public at `at` and has none yet.

    Returns the new alert, or None. Runs in a savepoint of its own: a failure here never undoes a publish or lift.
    """
    from presscentre.distribution.services import queue_sending

    if not is_public(item, at=at) or Distribution.objects.filter(kind=Distribution.Kind.ALERT, item=item.pk).exists():
        return None
    try:
        with transaction.atomic():
            alert = Distribution.objects.create(
                kind=Distribution.Kind.ALERT,
                item_id=item.pk,
                status=Distribution.Status.SCHEDULED,
                send_at=at,
                subject=alert_subject(item)[:500],
            )
            queue_sending(alert.pk, now=at)
    except IntegrityError:
        return None  # another process wrote it first: one alert per item
    return alert


def alert_subject(item) -> str:
    """'Press Release: <title>', read from the item's content type without a query."""
    return f"{item.specific_type.type_label}: {item.title}"


def reachable_subscriptions():
    """Active subscriptions whose contact may be emailed (not opted out, not bouncing)."""
    return Subscription.objects.active().filter(contact__opted_out=False, contact__bounce_count__lt=BOUNCE_LIMIT)


def deliveries_for(distribution: Distribution, subscriptions):
    """One unsaved queued delivery per subscription's contact, read CHUNK_SIZE at a time in contact order (memory
    stays flat). Each chunk is a query of its own that starts after the last contact read, rather than a server-side
    cursor: PostgreSQL plans a cursor for its first rows, and with statistics not yet updated after a bulk import of
    subscribers that plan took seconds where this takes milliseconds."""
    rows = subscriptions.order_by("contact_id").values_list("contact_id", "contact__name", "contact__email")
    after = None
    while True:
        chunk = list((rows if after is None else rows.filter(contact_id__gt=after))[:CHUNK_SIZE])
        for contact_id, name, email in chunk:
            yield Delivery(
                distribution=distribution,
                contact_id=contact_id,
                name=(name or "")[:150],
                email=email,
                status=Delivery.Status.QUEUED,
            )
        if len(chunk) < CHUNK_SIZE:
            return
        after = chunk[-1][0]


def item_follows(item_id: int) -> tuple[int, list[int], list[int]]:
    """(content type id, category ids, person ids) of an item, as subscriptions follow it."""
    from presscentre.newsroom.models import ItemCategory, ItemPerson, NewsItemPage

    content_type_id = NewsItemPage.objects.filter(pk=item_id).values_list("content_type_id", flat=True).first()
    category_ids = list(ItemCategory.objects.filter(item_id=item_id).values_list("category_id", flat=True))
    person_ids = list(ItemPerson.objects.filter(item_id=item_id).values_list("person_id", flat=True))
    return content_type_id, category_ids, person_ids


def alert_recipients(distribution: Distribution):
    """The alert's deliveries: every reachable immediate subscriber who follows the item's type, one of its
    categories or people, or everything; each once however many of these match."""
    if not is_news(distribution):
        return
    content_type_id, category_ids, person_ids = item_follows(distribution.item_id)
    if content_type_id is None:
        return
    subscriptions = reachable_subscriptions().filter(
        frequency=Subscription.Frequency.IMMEDIATE,
        pk__in=Subscription.objects.matching(
            content_type_id=content_type_id, category_ids=category_ids, person_ids=person_ids
        ).values("pk"),
    )
    yield from deliveries_for(distribution, subscriptions)


def is_news(distribution: Distribution) -> bool:
    """Did the alert's item become public within ALERT_AFTER_PUBLIC_WITHIN of the alert, by what is saved now?

    An item whose publication date was set back once it was published (an import, the demo's history) is not
    news: its alert goes to nobody."""
    from presscentre.newsroom.models import NewsItemPage

    since = (
        NewsItemPage.objects.filter(pk=distribution.item_id)
        .annotate(since=public_since())
        .values_list("since", flat=True)
        .first()
    )
    return since is None or distribution.send_at - since <= ALERT_AFTER_PUBLIC_WITHIN


def compose_alert(distribution: Distribution, *, at: datetime):
    """The alert's email, or None when its item is not public at `at` by the one rule (the send is cancelled)."""
    from presscentre.alerts.emails import AlertEmail
    from presscentre.newsroom.models.items import category_links_with_categories, person_links_with_people

    item = (
        public_items(at)
        .filter(pk=distribution.item_id)
        .specific()
        .prefetch_related(category_links_with_categories(), person_links_with_people())
        .first()
    )
    if item is None:
        return None
    return AlertEmail.for_item(item)


def catch_up_alerts(*, at: datetime) -> int:
    """The worker's chore: an alert for every item that became public in the last hour and has none. Returns how
    many were written.

    Looks no further back than the first confirmed subscription, so the first deploy alerts nobody about items
    published before anyone could subscribe."""
    first_subscriber = Subscription.objects.filter(confirmed_at__isnull=False).aggregate(at=Min("confirmed_at"))["at"]
    if first_subscriber is None:
        return 0
    since = max(at - CATCH_UP_WINDOW, first_subscriber)
    has_alert = Distribution.objects.filter(kind=Distribution.Kind.ALERT, item=OuterRef("pk"))
    missing = (
        public_items(at)
        .filter(public_since_after(since))
        .annotate(public_since=public_since())
        .filter(public_since__gte=since, public_since__lte=at)
        .exclude(Exists(has_alert))
        .order_by("public_since", "pk")[:CATCH_UP_LIMIT]
    )
    written = 0
    for item in missing:
        if create_alert(item, at=at) is not None:
            written += 1
    if written:
        logger.warning("Wrote %d alert(s) that the moment of publication had missed", written)
    return written


def forget_demo_alert(sender, *, item, **kwargs) -> None:
    """The demo's rehearsal of a lift (`load_demo_data --embargo-in`) embargoes its release again: its alert goes,
    so that the next lift alerts the demo's subscribers again. Only the demo sends this; nothing else forgets."""
    Distribution.objects.filter(kind=Distribution.Kind.ALERT, item=item.pk).delete()
