"""Set-up shared by the alert and digest sending tests: confirmed subscribers made through the ORM, and items
published as an editor publishes them."""

import email.utils
from datetime import UTC, datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from presscentre.alerts.models import Subscription
from presscentre.distribution.models import MediaContact


def subscribe(
    address: str,
    *,
    frequency: str = Subscription.Frequency.IMMEDIATE,
    state: str = Subscription.State.ACTIVE,
    everything: bool = False,
    types=(),
    categories=(),
    people=(),
    confirmed_at: datetime | None = None,
    **contact_fields,
) -> Subscription:
    """A subscription as confirming leaves it: its address is a media contact (even a pending one gets a contact
    here, so that only its state keeps it from mail). `types` are item page models."""
    contact = MediaContact.objects.create(
        name=contact_fields.pop("name", ""),
        email=address,
        consent_basis=MediaContact.ConsentBasis.CONSENT,
        **contact_fields,
    )
    subscription = Subscription.objects.create(
        email=address,
        contact=contact,
        state=state,
        frequency=frequency,
        everything=everything,
        confirmed_at=None if state == Subscription.State.PENDING else (confirmed_at or timezone.now()),
    )
    subscription.types.set([ContentType.objects.get_for_model(model) for model in types])
    subscription.categories.set(categories)
    subscription.people.set(people)
    return subscription


def publish(page) -> None:
    page.save_revision().publish()


def received(server) -> dict[str, int]:
    """{address: messages} of what the SMTP server accepted, leaving out the press office's own lift emails."""
    return {address: count for address, count in server.recipients().items() if "subscriber" in address}


def sent_at(message) -> datetime:
    moment = email.utils.parsedate_to_datetime(str(message["Date"]))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
