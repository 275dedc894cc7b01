"""Sending over real SMTP (aiosmtpd): what arrives on the wire, retries, crashes, and two workers at once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from presscentre.core.urls_public import public_url
from presscentre.distribution import sending
from presscentre.distribution.models import BOUNCE_LIMIT, Delivery, Distribution, MediaContact
from presscentre.distribution.sending import run_distribution
from presscentre.distribution.tests.factories import MediaContactFactory
from presscentre.distribution.tests.helpers import (
    EMBARGO,
    SEND_AT,
    embargoed_release,
    fixed_clock,
    journalists,
    scheduled_distribution,
)
from presscentre.embargo.models import AccessLink
from presscentre.embargo.services import find_access_link
from presscentre.newsroom.tests.factories import PressReleaseFactory


def token_in(text: str) -> str:
    """The personal link's token in an email's text."""
    return text.split("/embargoed/", 1)[1].split("/", 1)[0]


def statuses(distribution) -> dict[str, str]:
    return dict(distribution.deliveries.values_list("email", "status"))


def test_embargoed_release_arrives_with_one_personal_link_each_unsubscribe_headers_and_the_ics(newsroom, smtp_server):
    release = embargoed_release(newsroom)
    contacts, media_list = journalists(3)
    MediaContactFactory(email="gone@news.example.com", opted_out=True, lists=[media_list])
    MediaContactFactory(email="bouncing@news.example.com", bounce_count=BOUNCE_LIMIT, lists=[media_list])
    distribution = scheduled_distribution(release, media_list)

    result = run_distribution(distribution.pk, clock=fixed_clock())

    assert result.finished and result.sent == 3
    assert sorted(smtp_server.recipients()) == sorted(contact.email for contact in contacts)
    tokens = set()
    for contact in contacts:
        message = smtp_server.message_to(contact.email)
        assert message["Subject"] == f"EMBARGOED UNTIL 00:01 BST, Sunday 25th May 2031: {release.title}"
        assert message["List-Unsubscribe"].strip().startswith(f"<{public_url('/distribution/unsubscribe/')}")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        link = AccessLink.objects.get(email=contact.email, item=release)
        link.token = token_in(text)
        assert find_access_link(link.token) == link, "the emailed token opens this journalist's own link"
        assert link.token not in str(AccessLink.objects.filter(pk=link.pk).values().get()), "only its hash is stored"
        assert public_url(link.get_absolute_url()) in text
        assert public_url(link.get_absolute_url()) in html
        assert text.count("/embargoed/") == 1
        assert "<img" not in html  # no tracking pixels
        tokens.add(link.token)
        calendars = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
        assert len(calendars) == 1
        ics = calendars[0].get_content()
        ics = ics.decode() if isinstance(ics, bytes) else ics
        assert "BEGIN:VEVENT" in ics and "Embargo lifts: Households worse off than forecast" in ics
        assert "DTSTART:20310524T230100Z" in ics
    assert len(tokens) == 3
    assert statuses(distribution) == {
        **{contact.email: Delivery.Status.SENT for contact in contacts},
        "gone@news.example.com": Delivery.Status.SKIPPED,
        "bouncing@news.example.com": Delivery.Status.SKIPPED,
    }
    assert set(distribution.deliveries.filter(status="skipped").values_list("reason", flat=True)) == {
        "Opted out",
        f"Address bounced {BOUNCE_LIMIT} times",
    }
    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.SENT
    assert distribution.subject.startswith("EMBARGOED UNTIL ")


def test_a_release_not_under_embargo_links_to_the_public_page_without_personal_links_or_ics(newsroom, smtp_server):
    release = PressReleaseFactory(parent=newsroom, title="Open figures")
    contacts, media_list = journalists(2)
    distribution = scheduled_distribution(release, media_list)

    run_distribution(distribution.pk, clock=fixed_clock())

    message = smtp_server.message_to(contacts[0].email)
    assert message["Subject"] == "Open figures"
    assert public_url(release.url) in message.get_body(("plain",)).get_content()
    assert not list(message.iter_attachments())
    assert not AccessLink.objects.exists()


def test_temporary_failures_are_retried_with_backoff_and_delivered_once(newsroom, flaky_smtp_server):
    contacts, media_list = journalists(3)
    distribution = scheduled_distribution(embargoed_release(newsroom), media_list)

    run_distribution(distribution.pk, clock=fixed_clock())

    assert flaky_smtp_server.recipients() == {contact.email: 1 for contact in contacts}
    assert set(distribution.deliveries.values_list("status", "attempts")) == {(Delivery.Status.SENT, 3)}
    # A retry keeps the journalist's first personal link rather than making another, with a token that works:
    # the first attempt's token is known nowhere (only its hash was stored), so the retry issues a new one.
    assert AccessLink.objects.count() == 3
    for contact in contacts:
        token = token_in(flaky_smtp_server.message_to(contact.email).get_body(("plain",)).get_content())
        assert find_access_link(token).email == contact.email


def test_retries_wait_for_the_backoff(newsroom, flaky_smtp_server, settings):
    settings.PRESSCENTRE_DISTRIBUTION_RETRY_SECONDS = 60
    contacts, media_list = journalists(1)
    distribution = scheduled_distribution(embargoed_release(newsroom), media_list)

    result = run_distribution(distribution.pk, clock=fixed_clock())

    delivery = distribution.deliveries.get()
    assert (delivery.status, delivery.not_before) == (Delivery.Status.QUEUED, SEND_AT + timedelta(seconds=60))
    assert delivery.reason.startswith("Will retry: 451")
    assert result.run_again_at == SEND_AT + timedelta(seconds=60)
    assert not flaky_smtp_server.recipients()


def test_a_recipient_still_refused_after_the_last_attempt_fails_with_the_reason(newsroom, flaky_smtp_server, settings):
    settings.PRESSCENTRE_DISTRIBUTION_MAX_ATTEMPTS = 2
    contacts, media_list = journalists(1)
    distribution = scheduled_distribution(embargoed_release(newsroom), media_list)

    result = run_distribution(distribution.pk, clock=fixed_clock())

    delivery = distribution.deliveries.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.reason.startswith("Gave up after 2 attempts: 451")
    assert result.finished


def test_a_permanent_refusal_fails_at_once_and_counts_a_bounce(newsroom, settings):
    from presscentre.distribution.tests.conftest import _serve
    from presscentre.distribution.tests.smtp import RecordingHandler

    handler = RecordingHandler(reject=frozenset({"nobody@news.example.com"}))
    controller = _serve(settings, handler)
    try:
        contacts, media_list = journalists(1)
        MediaContactFactory(email="nobody@news.example.com", lists=[media_list])
        distribution = scheduled_distribution(embargoed_release(newsroom), media_list)
        run_distribution(distribution.pk, clock=fixed_clock())
    finally:
        controller.stop()

    failed = distribution.deliveries.get(email="nobody@news.example.com")
    assert (failed.status, failed.attempts) == (Delivery.Status.FAILED, 1)
    assert failed.reason.startswith("550 5.1.1")
    assert MediaContact.objects.get(email="nobody@news.example.com").bounce_count == 1
    assert handler.recipients() == {contacts[0].email: 1}


class SimulatedCrash(BaseException):
    """Stands for the worker process dying: nothing in the sending code catches it."""


def test_a_crash_mid_send_then_a_restart_sends_nobody_twice(newsroom, smtp_server, monkeypatch):
    contacts, media_list = journalists(6)
    distribution = scheduled_distribution(embargoed_release(newsroom), media_list)
    real_record = sending.record
    outcomes = []

    def record_then_die_on_the_third_send(delivery, **fields):
        if fields.get("status") == Delivery.Status.SENT:
            outcomes.append(delivery.pk)
            if len(outcomes) == 3:
                raise SimulatedCrash  # the server accepted the third message; its outcome is never written
        return real_record(delivery, **fields)

    monkeypatch.setattr(sending, "record", record_then_die_on_the_third_send)
    with pytest.raises(SimulatedCrash):
        run_distribution(distribution.pk, clock=fixed_clock())
    monkeypatch.setattr(sending, "record", real_record)
    assert sum(smtp_server.recipients().values()) == 3

    # Restarted within the lease, the crashed batch still counts as another worker's: nothing is sent.
    early = run_distribution(distribution.pk, clock=fixed_clock(SEND_AT + timedelta(seconds=10)))
    assert early.sent == 0 and sum(smtp_server.recipients().values()) == 3

    later = SEND_AT + sending.claim_lease() + timedelta(seconds=1)
    result = run_distribution(distribution.pk, clock=fixed_clock(later))

    assert result.finished and result.sent == 3
    assert smtp_server.recipients() == {contact.email: 1 for contact in contacts}
    in_flight = distribution.deliveries.get(pk=outcomes[2])
    assert in_flight.status == Delivery.Status.INTERRUPTED
    assert "not sent again" in in_flight.reason
    assert distribution.deliveries.filter(status=Delivery.Status.SENT).count() == 5


def test_an_error_in_the_middle_of_a_batch_requeues_the_untried_rest_at_once(newsroom, smtp_server, monkeypatch):
    contacts, media_list = journalists(4)
    distribution = scheduled_distribution(embargoed_release(newsroom), media_list)
    real_send_one = sending.send_one
    calls = []

    def fail_second(email, delivery, **kwargs):
        calls.append(delivery.pk)
        if len(calls) == 2:
            raise RuntimeError("template bug")
        return real_send_one(email, delivery, **kwargs)

    monkeypatch.setattr(sending, "send_one", fail_second)
    with pytest.raises(RuntimeError):
        run_distribution(distribution.pk, clock=fixed_clock())
    monkeypatch.setattr(sending, "send_one", real_send_one)
    run_distribution(distribution.pk, clock=fixed_clock())

    assert max(smtp_server.recipients().values()) == 1
    assert statuses(distribution)[contacts[1].email] == Delivery.Status.INTERRUPTED
    assert distribution.deliveries.filter(status=Delivery.Status.SENT).count() == 3


def test_a_scheduled_distribution_waits_for_its_time(newsroom, smtp_server):
    contacts, media_list = journalists(1)
    distribution = scheduled_distribution(embargoed_release(newsroom), media_list)

    result = run_distribution(distribution.pk, clock=fixed_clock(SEND_AT - timedelta(seconds=1)))

    assert result.run_again_at == SEND_AT
    assert not smtp_server.recipients()
    assert not distribution.deliveries.exists()


def test_after_the_lift_the_email_is_an_ordinary_release(newsroom, smtp_server):
    contacts, media_list = journalists(1)
    release = embargoed_release(newsroom)
    distribution = scheduled_distribution(release, media_list, at=EMBARGO)

    run_distribution(distribution.pk, clock=fixed_clock(EMBARGO))

    message = smtp_server.message_to(contacts[0].email)
    assert message["Subject"] == release.title
    assert not AccessLink.objects.exists()


def test_a_cancelled_distribution_sends_nothing_more(newsroom, smtp_server, settings):
    from presscentre.distribution.services import cancel_distribution

    settings.PRESSCENTRE_DISTRIBUTION_BATCH_SIZE = 2
    contacts, media_list = journalists(5)
    distribution = scheduled_distribution(embargoed_release(newsroom), media_list)
    real_send_batch = sending.send_batch

    def cancel_after_first_batch(*args, **kwargs):
        result = real_send_batch(*args, **kwargs)
        cancel_distribution(distribution, by=None, at=SEND_AT)
        return result

    sending.send_batch, original = cancel_after_first_batch, real_send_batch
    try:
        run_distribution(distribution.pk, clock=fixed_clock())
    finally:
        sending.send_batch = original

    assert sum(smtp_server.recipients().values()) == 2
    assert distribution.deliveries.filter(status=Delivery.Status.CANCELLED).count() == 3
    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.CANCELLED
    assert run_distribution(distribution.pk, clock=fixed_clock()).sent == 0


# Per batch: recovery and cancel checks, the claim (savepoint, read, update, release, fetch), the links (insert,
# update, audit log); then two single-row writes per recipient: the fence before handing it over, the outcome after.
QUERIES_PER_BATCH = 12


@pytest.mark.parametrize("size", [5, 15])
def test_the_sending_loop_costs_a_constant_per_batch_plus_two_writes_per_recipient(
    newsroom, smtp_server, settings, django_assert_max_num_queries, size
):
    contacts, media_list = journalists(2 * size)
    distribution = scheduled_distribution(embargoed_release(newsroom), media_list)
    sending.create_deliveries(distribution, at=SEND_AT)
    distribution = Distribution.objects.select_related("release", "created_by").get(pk=distribution.pk)
    email = sending.compose_release_email(distribution.release.specific, at=SEND_AT)
    from django.core.mail import get_connection

    connection_ = get_connection()
    connection_.open()
    try:
        for _ in range(2):
            with django_assert_max_num_queries(QUERIES_PER_BATCH + 2 * size):
                sending.recover_abandoned_batches(distribution, at=SEND_AT)
                sending._cancelled(distribution)
                batch = sending.claim_batch(distribution, at=SEND_AT, size=size)
                sending.give_access_links(distribution, batch, at=SEND_AT)
                sending.send_batch(email, batch, connection=connection_, clock=fixed_clock())
    finally:
        connection_.close()
    assert smtp_server.recipients() == {contact.email: 1 for contact in contacts}


def test_the_prepared_message_keeps_every_marker_so_the_fast_path_is_used(newsroom):
    from presscentre.distribution.release_email import PreparedMessage

    email = sending.compose_release_email(embargoed_release(newsroom), at=SEND_AT)

    assert PreparedMessage(email).ready


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_starting_the_same_distribution_at_once_send_nobody_twice(newsroom, smtp_server, settings):
    settings.PRESSCENTRE_DISTRIBUTION_BATCH_SIZE = 3
    settings.PRESSCENTRE_DISTRIBUTION_CONNECTIONS = 2  # two workers of two sending threads each
    contacts, media_list = journalists(24)
    distribution = scheduled_distribution(embargoed_release(newsroom), media_list)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            run_distribution(distribution.pk, clock=fixed_clock())
        except Exception as error:  # reported below, with the thread's traceback lost otherwise
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert smtp_server.recipients() == {contact.email: 1 for contact in contacts}
    assert distribution.deliveries.filter(status=Delivery.Status.SENT).count() == 24
    assert AccessLink.objects.count() == 24
    assert Distribution.objects.get(pk=distribution.pk).status == Distribution.Status.SENT
