"""Sending when things fail (issue 17): a worker that stalls past its lease, a mail server that goes away or drops
the connection, a worker that dies, and the settings that size all this. The mail server is real (aiosmtpd)."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.urls import reverse

from presscentre.distribution import sending, services
from presscentre.distribution.models import Delivery, Distribution
from presscentre.distribution.sending import run_distribution
from presscentre.distribution.tests.conftest import _serve
from presscentre.distribution.tests.helpers import SEND_AT, embargoed_release, fixed_clock, journalists
from presscentre.distribution.tests.helpers import scheduled_distribution as scheduled
from presscentre.distribution.tests.smtp import EphemeralPortController, RecordingHandler

LATER = SEND_AT + timedelta(minutes=10)


def received_once_each(server, contacts) -> bool:
    return server.recipients() == {contact.email: 1 for contact in contacts}


def statuses(distribution) -> dict[str, str]:
    return dict(distribution.deliveries.values_list("email", "status"))


# Defect 1: a worker that stalls past the lease, while another takes over its batch, sends nobody twice.


@pytest.mark.parametrize("stalls", ["between two messages", "while handing a message over"])
def test_a_worker_taken_for_dead_mid_batch_stops_and_sends_nobody_twice(
    newsroom, smtp_server, settings, monkeypatch, stalls
):
    settings.PRESSCENTRE_DISTRIBUTION_BATCH_SIZE = 5
    contacts, media_list = journalists(10)
    distribution = scheduled(embargoed_release(newsroom), media_list)
    after_the_lease = SEND_AT + sending.claim_lease() + timedelta(seconds=1)
    taken_over = []
    real_fence, real_send_one = getattr(sending, "fence", None), sending.send_one
    first_workers_rows = []

    def another_worker_takes_over():
        # The first worker is frozen here (its clock and heartbeat stand still); another runs past the lease.
        taken_over.append(run_distribution(distribution.pk, clock=fixed_clock(after_the_lease)))

    def fence(delivery, **kwargs):
        if stalls == "between two messages" and not taken_over:
            first_workers_rows.append(delivery.pk)
            if len(first_workers_rows) == 3:
                another_worker_takes_over()
        return real_fence(delivery, **kwargs)

    def send_one(email, delivery, **kwargs):
        if stalls == "while handing a message over" and not taken_over:
            first_workers_rows.append(delivery.pk)
            if len(first_workers_rows) == 3:
                another_worker_takes_over()
        return real_send_one(email, delivery, **kwargs)

    monkeypatch.setattr(sending, "fence", fence, raising=False)
    monkeypatch.setattr(sending, "send_one", send_one)
    first = run_distribution(distribution.pk, clock=fixed_clock())

    assert taken_over and taken_over[0].finished
    assert received_once_each(smtp_server, contacts)
    # The frozen worker sent at most the message it was handing over when it froze, then found its claim gone.
    assert first.sent == (2 if stalls == "between two messages" else 3)
    assert first.run_again_at is not None
    # The message in hand when it froze went once, by the frozen worker, which recorded it on waking: every row is
    # sent, none merely "may have arrived".
    assert set(statuses(distribution).values()) == {Delivery.Status.SENT}
    assert Distribution.objects.get(pk=distribution.pk).status == Distribution.Status.SENT


def test_a_worker_that_dies_after_marking_a_message_leaves_it_interrupted_and_the_untouched_rows_requeued(
    newsroom, smtp_server, settings, monkeypatch
):
    settings.PRESSCENTRE_DISTRIBUTION_BATCH_SIZE = 4
    contacts, media_list = journalists(4)
    distribution = scheduled(embargoed_release(newsroom), media_list)
    sending.create_deliveries(distribution, at=SEND_AT)
    batch = sending.claim_batch(distribution, at=SEND_AT, size=4)
    # It marked the second row and died before its message went (or after: nobody can tell which).
    assert sending.fence(batch[0], at=SEND_AT) and sending.fence(batch[1], at=SEND_AT)
    sending.record(batch[0], status=Delivery.Status.SENT, sent_at=SEND_AT)

    requeued = sending.recover_abandoned_batches(
        distribution, at=SEND_AT + sending.claim_lease() + timedelta(seconds=1)
    )

    assert requeued == 2
    rows = {row.pk: row for row in distribution.deliveries.all()}
    assert rows[batch[1].pk].status == Delivery.Status.INTERRUPTED
    assert [rows[row.pk].status for row in batch[2:]] == [Delivery.Status.QUEUED] * 2
    assert [rows[row.pk].attempts for row in batch[2:]] == [0, 0], "a requeued row was never tried"
    assert not sending.fence(batch[2], at=SEND_AT), "the dead worker's claim no longer holds"


# The database goes away between two writes: a write whose reply was lost may have committed, and the worker, which
# knows what it did on the mail side, writes again once the database answers.


def _lose_reply_once(monkeypatch, name, *, when, then=None):
    """Make `sending.<name>` commit its write and then raise as if the connection dropped before the reply, once,
    for the first call that `when(delivery, fields)` picks; `then()` runs between the commit and the error."""
    real, lost = getattr(sending, name), []

    def write(delivery, **fields):
        done = real(delivery, **fields)
        if not lost and when(delivery, fields):
            lost.append(delivery.pk)
            if then:
                then()
            raise OperationalError("server closed the connection unexpectedly")
        return done

    monkeypatch.setattr(sending, name, write)
    return lost


@pytest.fixture
def pauses(monkeypatch):
    waits = []
    monkeypatch.setattr(sending.time, "sleep", waits.append)
    return waits


def test_a_fence_whose_reply_was_lost_is_written_again_and_the_message_goes_once(
    newsroom, smtp_server, settings, monkeypatch, pauses
):
    settings.PRESSCENTRE_DISTRIBUTION_CONNECTIONS = 1
    contacts, media_list = journalists(5)
    distribution = scheduled(embargoed_release(newsroom), media_list)
    lost = _lose_reply_once(monkeypatch, "fence", when=lambda delivery, fields: delivery.email == contacts[2].email)

    result = run_distribution(distribution.pk, clock=fixed_clock())

    assert lost and pauses == [0.5]
    assert result.finished and result.sent == 5
    assert received_once_each(smtp_server, contacts)
    assert set(statuses(distribution).values()) == {Delivery.Status.SENT}


def test_a_fence_that_committed_unseen_while_recovery_took_the_batch_is_taken_back_and_sent_later(
    newsroom, smtp_server, settings, monkeypatch, pauses
):
    # The outage outlasted the lease: another worker's recovery saw the fence and marked the row "may have
    # arrived", but this worker knows it never handed it over.
    settings.PRESSCENTRE_DISTRIBUTION_CONNECTIONS = 1
    contacts, media_list = journalists(5)
    distribution = scheduled(embargoed_release(newsroom), media_list)
    after_the_lease = SEND_AT + sending.claim_lease() + timedelta(seconds=1)

    def recovery_runs():
        sending.recover_abandoned_batches(distribution, at=after_the_lease)
        assert statuses(distribution)[contacts[2].email] == Delivery.Status.INTERRUPTED

    _lose_reply_once(
        monkeypatch, "fence", when=lambda delivery, fields: delivery.email == contacts[2].email, then=recovery_runs
    )

    first = run_distribution(distribution.pk, clock=fixed_clock())

    assert first.sent == 2 and first.run_again_at is not None
    assert statuses(distribution)[contacts[2].email] == Delivery.Status.QUEUED
    assert distribution.deliveries.get(email=contacts[2].email).attempts == 0
    assert run_distribution(distribution.pk, clock=fixed_clock(after_the_lease)).finished
    assert received_once_each(smtp_server, contacts)
    assert set(statuses(distribution).values()) == {Delivery.Status.SENT}


def test_an_outcome_whose_reply_was_lost_is_written_again_not_left_as_may_have_arrived(
    newsroom, smtp_server, settings, monkeypatch, pauses
):
    settings.PRESSCENTRE_DISTRIBUTION_CONNECTIONS = 1
    contacts, media_list = journalists(4)
    distribution = scheduled(embargoed_release(newsroom), media_list)
    _lose_reply_once(monkeypatch, "_record", when=lambda delivery, fields: fields["status"] == Delivery.Status.SENT)

    assert run_distribution(distribution.pk, clock=fixed_clock()).finished

    assert pauses == [0.5]
    assert received_once_each(smtp_server, contacts)
    assert set(statuses(distribution).values()) == {Delivery.Status.SENT}


def test_a_database_away_longer_than_the_patience_lets_the_error_go(monkeypatch, pauses):
    monkeypatch.setattr(sending, "DATABASE_PATIENCE", timedelta(seconds=20))
    tries = []

    def write():
        tries.append(1)
        raise OperationalError("could not connect to server")

    with pytest.raises(OperationalError):
        sending.until_the_database_answers(write)

    assert pauses == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]
    assert len(tries) == len(pauses) + 1


def test_the_migration_marks_the_row_the_old_rule_held_in_flight_in_each_batch_being_sent(newsroom):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("presscentre.distribution.migrations.0004_sending_fence")
    contacts, media_list = journalists(5)
    distribution = scheduled(embargoed_release(newsroom), media_list)
    sending.create_deliveries(distribution, at=SEND_AT)
    first = sending.claim_batch(distribution, at=SEND_AT, size=2)
    second = sending.claim_batch(distribution, at=SEND_AT + timedelta(seconds=1), size=2)
    sending.record(first[0], status=Delivery.Status.SENT)
    Delivery.objects.update(handing_over_at=None)

    migration.mark_rows_in_flight(apps, None)

    marked = dict(Delivery.objects.filter(handing_over_at__isnull=False).values_list("pk", "handing_over_at"))
    assert marked == {first[1].pk: SEND_AT, second[0].pk: SEND_AT + timedelta(seconds=1)}


def test_a_live_worker_renews_its_claim_so_a_slow_batch_is_not_taken_from_it(
    newsroom, smtp_server, settings, monkeypatch
):
    settings.PRESSCENTRE_DISTRIBUTION_BATCH_SIZE = 8
    settings.PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS = 60
    settings.PRESSCENTRE_DISTRIBUTION_HEARTBEAT_SECONDS = 10
    contacts, media_list = journalists(8)
    distribution = scheduled(embargoed_release(newsroom), media_list)
    real_send_one = sending.send_one
    moments = [SEND_AT]
    others = []

    def send_one(email, delivery, **kwargs):
        # Each message takes 20 s (a slow server): after the fifth, the batch is older than the 60 s lease.
        if moments[-1] >= SEND_AT + timedelta(seconds=100) and not others:
            others.append(run_distribution(distribution.pk, clock=fixed_clock(moments[-1])))
        message_id = real_send_one(email, delivery, **kwargs)
        moments.append(moments[-1] + timedelta(seconds=20))
        return message_id

    monkeypatch.setattr(sending, "send_one", send_one)
    run_distribution(distribution.pk, clock=lambda: moments[-1])

    assert others and others[0].sent == 0, "the other worker left the live worker's batch alone"
    assert received_once_each(smtp_server, contacts)
    assert not distribution.deliveries.exclude(status=Delivery.Status.SENT).exists()


def test_the_distribution_page_shows_interrupted_messages_as_may_have_arrived(newsroom, client, press_officer):
    contacts, media_list = journalists(3)
    distribution = scheduled(embargoed_release(newsroom), media_list)
    sending.create_deliveries(distribution, at=SEND_AT)
    Distribution.objects.filter(pk=distribution.pk).update(status=Distribution.Status.SENT, finished_at=SEND_AT)
    first, *rest = distribution.deliveries.order_by("pk")
    Delivery.objects.filter(pk=first.pk).update(status=Delivery.Status.INTERRUPTED, reason=sending.INTERRUPTED_REASON)
    Delivery.objects.filter(pk__in=[row.pk for row in rest]).update(status=Delivery.Status.SENT)

    page = client.get(reverse("distributions:detail", args=[distribution.pk])).content.decode()

    assert "2 sent; 1 may have arrived" in page
    assert first.email in page.split("<h2>Failures</h2>", 1)[1]
    assert "Interrupted (may have arrived)" in page


# Defect 2: a mail server that is down, or drops the connection before the data, loses nobody.


def test_a_mail_server_outage_mid_send_loses_nobody_and_sends_nobody_twice(newsroom, settings, monkeypatch):
    settings.PRESSCENTRE_DISTRIBUTION_BATCH_SIZE = 4
    settings.PRESSCENTRE_DISTRIBUTION_RETRY_SECONDS = 30
    handler = RecordingHandler()
    servers = [_serve(settings, handler)]
    contacts, media_list = journalists(12)
    distribution = scheduled(embargoed_release(newsroom), media_list)
    real_send_one = sending.send_one
    calls = []

    def server_goes_down_before_the_sixth(email, delivery, **kwargs):
        calls.append(delivery.pk)
        if len(calls) == 6:
            servers.pop().stop()  # closes the open connection too: MAIL FROM fails, new connections are refused
        return real_send_one(email, delivery, **kwargs)

    monkeypatch.setattr(sending, "send_one", server_goes_down_before_the_sixth)
    try:
        during = run_distribution(distribution.pk, clock=fixed_clock())
        monkeypatch.setattr(sending, "send_one", real_send_one)
        still_down = run_distribution(distribution.pk, clock=fixed_clock(during.run_again_at))
        servers.append(EphemeralPortController(handler, hostname="127.0.0.1", port=settings.EMAIL_PORT))
        servers[0].start()
        back = run_distribution(distribution.pk, clock=fixed_clock(LATER))
    finally:
        for server in servers:
            server.stop()

    assert during.sent == 5 and during.run_again_at == SEND_AT + timedelta(seconds=30)
    assert still_down.sent == 0 and still_down.run_again_at == during.run_again_at + timedelta(seconds=30)
    assert back.finished
    assert received_once_each(handler, contacts)
    assert set(statuses(distribution).values()) == {Delivery.Status.SENT}
    assert Distribution.objects.get(pk=distribution.pk).status == Distribution.Status.SENT


class DroppingHandler(RecordingHandler):
    """Drops the connection once for each address in `before_data` (at RCPT TO) and in `after_data` (once the
    message arrived, without answering)."""

    def __init__(self, *, before_data=(), after_data=()):
        super().__init__()
        self.before_data = set(before_data)
        self.after_data = set(after_data)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.before_data:
            self.before_data.discard(address)
            server.transport.close()
            return "421 4.4.2 Connection dropped"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        dropped = self.after_data & set(envelope.rcpt_tos)
        if dropped:
            self.after_data -= dropped
            server.transport.close()
        return reply


def test_a_connection_dropped_before_the_data_is_retried_and_one_dropped_after_it_is_interrupted(newsroom, settings):
    contacts, media_list = journalists(4)
    before, after = contacts[1].email, contacts[2].email
    handler = DroppingHandler(before_data=[before], after_data=[after])
    server = _serve(settings, handler)
    distribution = scheduled(embargoed_release(newsroom), media_list)
    try:
        result = run_distribution(distribution.pk, clock=fixed_clock())
    finally:
        server.stop()

    assert result.retrying == 1 and result.finished
    assert received_once_each(handler, contacts), "the server had the dropped-after-data message once, and only once"
    rows = {row.email: row for row in distribution.deliveries.all()}
    assert (rows[before].status, rows[before].attempts) == (Delivery.Status.SENT, 2)
    assert (rows[after].status, rows[after].attempts) == (Delivery.Status.INTERRUPTED, 1)
    assert "may have arrived" in rows[after].reason
    assert {rows[contact.email].status for contact in (contacts[0], contacts[3])} == {Delivery.Status.SENT}


# Defect 7: a send whose worker died goes on by itself.


class SimulatedDeath(BaseException):
    """Stands for the worker process dying: nothing in the sending code catches it."""


def sending_runs(backend) -> list:
    """The sending runs queued on the dummy backend (the search index and caches queue their own tasks too)."""
    return [result for result in backend.results if result.task.name == "send_distribution_task"]


def _due_task(backend, results_seen: int):
    """The earliest sending run queued after the first `results_seen`, and when it is due."""
    queued = sending_runs(backend)[results_seen:]
    return min(((result.task.run_after or result.enqueued_at, result) for result in queued), key=lambda pair: pair[0])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_send_whose_worker_died_resumes_by_itself_within_a_minute(newsroom, smtp_server, settings, time_machine):
    from django_tasks import task_backends

    from presscentre.distribution.tasks import send_distribution_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.PRESSCENTRE_DISTRIBUTION_BATCH_SIZE = 3
    contacts, media_list = journalists(9)
    distribution = scheduled(embargoed_release(newsroom), media_list)
    backend = task_backends["default"]
    real_record = sending.record
    sent = []

    def die_after_the_server_accepted_the_second(delivery, **fields):
        if fields.get("status") == Delivery.Status.SENT:
            sent.append(delivery.pk)
            if len(sent) == 2:
                raise SimulatedDeath
        return real_record(delivery, **fields)

    time_machine.move_to(SEND_AT, tick=False)
    sending.record = die_after_the_server_accepted_the_second
    try:
        with pytest.raises(SimulatedDeath):
            send_distribution_task.call(distribution.pk)
    finally:
        sending.record = real_record
    assert sum(smtp_server.recipients().values()) == 2

    # Nobody presses Resume: the worker runs whatever the queue holds, when it is due.
    runs, seen = [], 0
    while Distribution.objects.get(pk=distribution.pk).status == Distribution.Status.SENDING and len(runs) < 10:
        due, result = _due_task(backend, seen)
        seen = len(sending_runs(backend))
        runs.append(due)
        time_machine.move_to(due, tick=False)
        send_distribution_task.call(*result.args, **result.kwargs)

    assert runs[0] <= SEND_AT + timedelta(seconds=60), "the send went on within a minute of its worker's death"
    assert runs[-1] <= SEND_AT + sending.claim_lease() + timedelta(seconds=30)
    assert Distribution.objects.get(pk=distribution.pk).status == Distribution.Status.SENT
    contacts_by_email = {contact.email for contact in contacts}
    assert set(smtp_server.recipients()) == contacts_by_email and max(smtp_server.recipients().values()) == 1
    in_flight = distribution.deliveries.get(pk=sent[1])
    assert in_flight.status == Delivery.Status.INTERRUPTED, "accepted, but its outcome was never written"
    assert distribution.deliveries.filter(status=Delivery.Status.SENT).count() == 8


def test_resume_stalled_sends_queues_only_sends_that_nothing_moves(
    newsroom, settings, django_capture_on_commit_callbacks
):
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    lease = sending.claim_lease()
    contacts, media_list = journalists(2)
    release = embargoed_release(newsroom)
    dead, alive, waiting = (scheduled(release, media_list) for _ in range(3))
    for distribution in (dead, alive, waiting):
        sending.start_sending(distribution, at=SEND_AT)
        sending.create_deliveries(distribution, at=SEND_AT)
        sending.claim_batch(distribution, at=SEND_AT, size=1)
    at = SEND_AT + 2 * lease
    Delivery.objects.filter(distribution=alive, status=Delivery.Status.SENDING).update(claimed_at=at - lease / 2)
    Distribution.objects.filter(pk=waiting.pk).update(next_run="queued-run", next_run_at=at - lease / 2)

    with django_capture_on_commit_callbacks(execute=True):
        resumed = services.resume_stalled_sends(at=at)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.resume_stalled_sends(at=at + timedelta(seconds=5))

    assert resumed == [dead.pk]
    assert again == [], "a queued run is not queued twice"
    assert [tuple(result.args) for result in sending_runs(backend)] == [(dead.pk,)]
    assert Distribution.objects.get(pk=dead.pk).next_run == sending_runs(backend)[0].kwargs["run"]


def test_a_superseded_run_does_nothing_and_a_finished_send_queues_no_more_runs(
    newsroom, smtp_server, settings, django_capture_on_commit_callbacks, time_machine
):
    from django_tasks import task_backends

    from presscentre.distribution.tasks import send_distribution_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    contacts, media_list = journalists(2)
    distribution = scheduled(embargoed_release(newsroom), media_list)
    time_machine.move_to(SEND_AT, tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_distribution_task.call(distribution.pk)["finished"]
    follow_up = sending_runs(backend)[-1]
    time_machine.move_to(follow_up.task.run_after, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_distribution_task.call(*follow_up.args, **follow_up.kwargs) == {"superseded": True}
        assert send_distribution_task.call(distribution.pk, run="an-older-run") == {"superseded": True}

    assert len(sending_runs(backend)) == 1
    assert received_once_each(smtp_server, contacts)


def test_a_run_its_worker_runs_again_after_a_lost_connection_carries_on_without_queueing_another(
    newsroom, settings, django_capture_on_commit_callbacks
):
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    contacts, media_list = journalists(1)
    distribution = scheduled(embargoed_release(newsroom), media_list)
    Distribution.objects.filter(pk=distribution.pk).update(next_run="this-run", next_run_at=SEND_AT)

    with django_capture_on_commit_callbacks(execute=True):
        first = services.follow_up_sending(distribution.pk, run="this-run", at=SEND_AT)
        again = services.follow_up_sending(distribution.pk, run="this-run", at=SEND_AT + timedelta(seconds=3))
        other = services.follow_up_sending(distribution.pk, run="another-run", at=SEND_AT)

    assert first and again == first
    assert other is None
    assert [result.kwargs["run"] for result in sending_runs(backend)] == [first]


# Defect 9: the settings come from the environment, and nonsense stops the site with a clear message.


def _settings_process(**environment):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {name: value for name, value in os.environ.items() if not name.startswith("PRESSCENTRE_DISTRIBUTION_")}
    env.update(DJANGO_SETTINGS_MODULE="presscentre.settings", **environment)
    names = ["BATCH_SIZE", "CONNECTIONS", "HEARTBEAT_SECONDS", "LEASE_SECONDS", "RETRY_SECONDS", "MAX_ATTEMPTS"]
    script = (
        "from django.conf import settings; print("
        + ", ".join(f"settings.PRESSCENTRE_DISTRIBUTION_{name}" for name in names)
        + ")"
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and settings module
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_distribution_settings_come_from_the_environment():
    assert _settings_process().stdout.split() == ["50", "4", "10", "60", "30", "5"]

    result = _settings_process(
        PRESSCENTRE_DISTRIBUTION_BATCH_SIZE="200",
        PRESSCENTRE_DISTRIBUTION_CONNECTIONS="8",
        PRESSCENTRE_DISTRIBUTION_HEARTBEAT_SECONDS="5",
        PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS="30",
        PRESSCENTRE_DISTRIBUTION_RETRY_SECONDS="10",
        PRESSCENTRE_DISTRIBUTION_MAX_ATTEMPTS="3",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "8", "5", "30", "10", "3"]


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"PRESSCENTRE_DISTRIBUTION_BATCH_SIZE": "fifty"},
            "PRESSCENTRE_DISTRIBUTION_BATCH_SIZE must be a whole number",
        ),
        ({"PRESSCENTRE_DISTRIBUTION_CONNECTIONS": "0"}, "PRESSCENTRE_DISTRIBUTION_CONNECTIONS must be at least 1"),
        ({"PRESSCENTRE_DISTRIBUTION_CONNECTIONS": "500"}, "PRESSCENTRE_DISTRIBUTION_CONNECTIONS must be at most 32"),
        ({"PRESSCENTRE_DISTRIBUTION_MAX_ATTEMPTS": "0"}, "PRESSCENTRE_DISTRIBUTION_MAX_ATTEMPTS must be at least 1"),
        ({"PRESSCENTRE_DISTRIBUTION_RETRY_SECONDS": "-5"}, "PRESSCENTRE_DISTRIBUTION_RETRY_SECONDS must be at least 1"),
        (
            {"PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS": "20"},
            "PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS (20) must be at least three times "
            "PRESSCENTRE_DISTRIBUTION_HEARTBEAT_SECONDS (10)",
        ),
    ],
)
def test_a_malformed_distribution_setting_stops_the_site_naming_the_variable(environment, message):
    result = _settings_process(**environment)

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_every_task_worker_looks_for_stalled_sends():
    from presscentre.core import worker

    chore = worker._chores["resume stalled sends"]

    assert chore.run is services.resume_stalled_sends
    assert chore.every <= timedelta(seconds=30)
