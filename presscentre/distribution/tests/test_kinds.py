"""Other kinds of sending (an alert, a digest) go through the one machinery: the kind's app plans the recipients and
composes the email, the machinery claims, fences, sends and records each one. A kind is registered here with a
small email of its own; the mail server is real."""

from datetime import timedelta

import pytest
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from presscentre.distribution import kinds, services
from presscentre.distribution.models import Delivery, Distribution
from presscentre.distribution.sending import run_distribution
from presscentre.distribution.tests.helpers import SEND_AT, embargoed_release, fixed_clock, journalists


class NoteEmail:
    """The smallest email a kind may compose: one line naming the recipient's delivery."""

    subject = "A note"
    base_url = "https://press.example.org"
    public_url = "https://press.example.org/note/"
    embargoed = False

    def __init__(self):
        self.seen = []

    def message_for(self, *, to, link_url, unsubscribe_url, connection=None, delivery=None):
        self.seen.append(delivery.pk)
        return EmailMultiAlternatives(
            self.subject,
            f"Delivery {delivery.pk} for {to}: {link_url}",
            "press@example.org",
            [to],
            headers={"Message-ID": f"<note-{delivery.pk}@press.example.org>"},
            connection=connection,
        )


@pytest.fixture
def note_kind(monkeypatch):
    """The alert kind, planned from a list of contacts and composed as a NoteEmail (or refused, when `public` is
    emptied: the item is no longer public)."""
    state = {"contacts": [], "email": NoteEmail(), "public": [True]}

    def recipients(distribution):
        for contact in state["contacts"]:
            yield Delivery(distribution=distribution, contact=contact, name=contact.name, email=contact.email)

    def compose(distribution, *, at):
        return state["email"] if state["public"] else None

    monkeypatch.setitem(kinds._kinds, Distribution.Kind.ALERT, kinds.SendingKind(recipients, compose))
    return state


def alert_of(item) -> Distribution:
    return Distribution.objects.create(
        kind=Distribution.Kind.ALERT, item=item, status=Distribution.Status.SCHEDULED, send_at=SEND_AT
    )


def test_a_registered_kind_is_sent_by_the_machinery_to_the_recipients_it_plans(newsroom, smtp_server, note_kind):
    contacts, _ = journalists(3)
    note_kind["contacts"] = contacts
    alert = alert_of(embargoed_release(newsroom))

    result = run_distribution(alert.pk, clock=fixed_clock())

    assert result.finished and result.sent == 3
    assert smtp_server.recipients() == {contact.email: 1 for contact in contacts}
    deliveries = list(alert.deliveries.all())
    assert sorted(note_kind["email"].seen) == sorted(delivery.pk for delivery in deliveries)
    assert {delivery.status for delivery in deliveries} == {Delivery.Status.SENT}
    assert {delivery.message_id for delivery in deliveries} == {f"<note-{d.pk}@press.example.org>" for d in deliveries}
    alert.refresh_from_db()
    assert alert.subject == "A note" and alert.status == Distribution.Status.SENT


def test_a_kind_whose_item_is_no_longer_public_is_cancelled_and_sends_nothing(newsroom, smtp_server, note_kind):
    contacts, _ = journalists(2)
    note_kind["contacts"] = contacts
    note_kind["public"].clear()
    alert = alert_of(embargoed_release(newsroom))

    result = run_distribution(alert.pk, clock=fixed_clock())

    assert result.sent == 0 and not smtp_server.recipients()
    alert.refresh_from_db()
    assert alert.status == Distribution.Status.CANCELLED
    assert set(alert.deliveries.values_list("status", flat=True)) == {Delivery.Status.CANCELLED}


def test_a_kind_no_app_registered_is_an_error_not_a_silent_send(newsroom, monkeypatch):
    monkeypatch.delitem(kinds._kinds, Distribution.Kind.WEEKLY_DIGEST, raising=False)
    digest = Distribution.objects.create(
        kind=Distribution.Kind.WEEKLY_DIGEST,
        status=Distribution.Status.SCHEDULED,
        send_at=SEND_AT,
        period_start=SEND_AT - timedelta(days=7),
        period_end=SEND_AT,
    )

    with pytest.raises(LookupError, match="weekly_digest"):
        run_distribution(digest.pk, clock=fixed_clock())


def test_erased_recipients_still_count_in_the_totals(newsroom, smtp_server, note_kind):
    contacts, _ = journalists(3)
    note_kind["contacts"] = contacts
    alert = alert_of(embargoed_release(newsroom))
    run_distribution(alert.pk, clock=fixed_clock())
    alert.deliveries.filter(contact=contacts[0]).delete()
    Distribution.objects.filter(pk=alert.pk).update(erased={Delivery.Status.SENT: 1})
    alert.refresh_from_db()

    counts = services.delivery_counts(alert)

    assert counts[Delivery.Status.SENT] == 3 and counts["total"] == 3 and counts["percent"] == 100


def test_the_distribution_screens_list_only_press_releases_to_lists(newsroom, client, press_officer):
    Distribution.objects.create(release=embargoed_release(newsroom))
    alert = alert_of(newsroom.get_children().first())
    alert.subject = "An alert to subscribers"
    alert.save()

    listing = client.get(reverse("distributions:index")).content.decode()
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()

    assert "Households worse off than forecast" in listing
    assert "An alert to subscribers" not in listing
    assert "An alert to subscribers" not in dashboard
