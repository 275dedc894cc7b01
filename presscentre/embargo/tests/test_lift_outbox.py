"""A lift's "is live" email goes through an outbox the worker drains: neither the sweep nor a reader's request waits
on the mail server, a server down at the instant delays the email without losing it, and it is sent once.

The tests that need real commits (the sweep, a reader's request, the worker) are transactional and use the
production queue (tasks are rows in this database) and a real SMTP connection.
"""

import socket
import threading
import time
import types
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from presscentre.embargo.management.commands import lift_due_embargoes as sweep_command
from presscentre.embargo.models import LiftNotice
from presscentre.embargo.services import (
    deliver_lift_notice,
    lift_embargo,
    lift_notice_retry_delay,
    queue_stranded_lift_notices,
)
from presscentre.newsroom.models import PressCentreSettings
from presscentre.newsroom.tests.factories import PressReleaseFactory

LIFT = datetime(2030, 3, 2, 0, 1, tzinfo=UTC)
DELIVERY_TASK = "presscentre.embargo.tasks.deliver_lift_notice_task"

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def release(newsroom):
    site_settings = PressCentreSettings.for_site(newsroom.get_site())
    site_settings.press_office_email = "pressoffice@example.org"
    site_settings.save()
    return PressReleaseFactory(parent=newsroom, title="Pay gap report", embargo_until=LIFT)


@pytest.fixture
def smtp_port() -> int:
    """A port with nothing listening on it yet: the mail server is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def production_mail(settings, smtp_port):
    """The production queue and a real SMTP connection to `smtp_port`."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 20
    return smtp_port


class Inbox:
    """An SMTP server (aiosmtpd) that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"

    def subjects(self) -> list[str]:
        import email

        return [email.message_from_bytes(message)["Subject"] for message in self.messages]


def fake_clock(*, stop_after: int):
    """Stands in for the sweep command's `time` module: records each wait, and presses Ctrl-C at the last."""
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) >= stop_after:
            raise KeyboardInterrupt

    return types.SimpleNamespace(sleep=sleep, monotonic=time.monotonic), waits


def run_worker() -> None:
    call_command("run_worker", batch=True, startup_delay=False, reload=False, interval=0.05)


def delivery_tasks():
    return DBTaskResult.objects.filter(task_path=DELIVERY_TASK)


# -- the sweep --------------------------------------------------------------------------------------------------


@transactional
def test_the_sweep_lifts_and_carries_on_while_the_mail_server_is_down(release, production_mail, monkeypatch):
    clock, waits = fake_clock(stop_after=3)
    monkeypatch.setattr(sweep_command, "time", clock)

    with time_machine.travel(LIFT + timedelta(seconds=1), tick=False):
        call_command("lift_due_embargoes", every=1)

    assert waits == [1, 1, 1]  # three rounds, then Ctrl-C: the mail server's refusal never reached the sweep
    release.refresh_from_db()
    assert release.embargo_lifted_at == LIFT + timedelta(seconds=1)
    notice = LiftNotice.objects.get(item_id=release.pk)
    assert notice.sent_at is None
    assert delivery_tasks().get().status == TaskResultStatus.READY  # for the worker


@transactional
def test_the_sweep_carries_on_after_a_database_error(release, monkeypatch):
    clock, waits = fake_clock(stop_after=3)
    monkeypatch.setattr(sweep_command, "time", clock)
    real_sweep = sweep_command.lift_due_embargoes
    calls = []

    def database_gone_once(*, at):
        calls.append(at)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_sweep(at=at)

    monkeypatch.setattr(sweep_command, "lift_due_embargoes", database_gone_once)

    with time_machine.travel(LIFT + timedelta(seconds=1), tick=False):
        call_command("lift_due_embargoes", every=1)

    assert len(calls) == 3
    assert waits[0] == 1  # it waited after the failure, then swept again
    release.refresh_from_db()
    assert release.embargo_lifted_at == LIFT + timedelta(seconds=1)


def test_a_sweep_that_keeps_failing_waits_longer_each_time_up_to_half_a_minute(release, monkeypatch):
    clock, waits = fake_clock(stop_after=8)
    monkeypatch.setattr(sweep_command, "time", clock)

    def database_gone(*, at):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(sweep_command, "lift_due_embargoes", database_gone)

    call_command("lift_due_embargoes", every=1)

    assert waits == [1, 2, 4, 8, 16, 30, 30, 30]


# -- the outbox -------------------------------------------------------------------------------------------------


@transactional
def test_a_lift_while_the_mail_server_is_down_keeps_its_email_until_the_server_is_back(release, production_mail):
    with time_machine.travel(LIFT + timedelta(seconds=1), tick=False):
        assert lift_embargo(release, at=LIFT + timedelta(seconds=1)) is True
        run_worker()  # the server is still down: the worker tries, and queues the next try

    release.refresh_from_db()
    assert release.embargo_lifted_at == LIFT + timedelta(seconds=1)
    notice = LiftNotice.objects.get(item_id=release.pk)
    assert (notice.sent_at, notice.attempts) == (None, 1)
    assert "Connection refused" in notice.last_error or "ConnectionRefused" in notice.last_error
    assert notice.next_attempt_at == LIFT + timedelta(seconds=11)

    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=production_mail)
    server.start()
    try:
        # An hour on, with the server back: the retry is due, and the worker's stranded-email chore queues it too.
        with time_machine.travel(LIFT + timedelta(hours=1), tick=False):
            run_worker()
            run_worker()
    finally:
        server.stop()

    assert inbox.subjects() == ["Pay gap report is live"]
    notice.refresh_from_db()
    assert notice.sent_at == LIFT + timedelta(hours=1)
    assert not delivery_tasks().exclude(status=TaskResultStatus.SUCCESSFUL).exists()


@transactional
def test_a_readers_request_at_the_instant_lifts_without_waiting_on_the_mail_server(release, production_mail, reader):
    """A mail server that accepts connections and never answers: a request that talked to it would hang for the
    whole EMAIL_TIMEOUT (20 s here) and then fail."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", production_mail))
    silent.listen(5)
    silent.settimeout(0.2)
    connected = []
    done = threading.Event()

    def accept_and_say_nothing():
        while not done.is_set():
            try:
                connected.append(silent.accept()[0])
            except OSError:
                continue

    listener = threading.Thread(target=accept_and_say_nothing, daemon=True)
    listener.start()
    try:
        started = time.monotonic()
        with time_machine.travel(LIFT + timedelta(seconds=3), tick=False):
            response = reader.get(release.url)
        took = time.monotonic() - started
    finally:
        done.set()
        listener.join(timeout=5)
        for connection in connected:
            connection.close()
        silent.close()

    assert response.status_code == 200
    assert took < 10, f"the request took {took:.1f} s"
    assert connected == []  # the request never opened a connection to the mail server
    release.refresh_from_db()
    assert release.embargo_lifted_at == LIFT + timedelta(seconds=3)
    assert LiftNotice.objects.get(item_id=release.pk).sent_at is None
    assert delivery_tasks().get().status == TaskResultStatus.READY


def test_the_lift_email_goes_once_however_often_its_delivery_runs(release, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lift_embargo(release, at=LIFT)
    notice = LiftNotice.objects.get(item_id=release.pk)
    assert [message.subject for message in mail.outbox] == ["Pay gap report is live"]

    assert deliver_lift_notice(notice.pk, at=LIFT + timedelta(seconds=5)) == "done"
    assert deliver_lift_notice(notice.pk, at=LIFT + timedelta(days=1)) == "done"

    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<embargo-lift-{notice.pk}-")


def test_a_lift_email_being_sent_by_one_worker_is_not_sent_by_another(release, settings):
    # The dummy queue keeps what is queued without running it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    lift_embargo(release, at=LIFT)
    notice = LiftNotice.objects.get(item_id=release.pk)
    LiftNotice.objects.filter(pk=notice.pk).update(claimed_until=LIFT + timedelta(minutes=5))  # another worker's

    assert deliver_lift_notice(notice.pk, at=LIFT + timedelta(seconds=1)) == "busy"
    assert mail.outbox == []
    # Should that worker die mid-send, the email is tried once its claim has expired.
    assert deliver_lift_notice(notice.pk, at=LIFT + timedelta(minutes=5)) == "sent"
    assert len(mail.outbox) == 1


def test_a_failed_lift_email_is_tried_again_later_and_later_up_to_once_a_day(
    release, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    lift_embargo(release, at=LIFT)
    notice = LiftNotice.objects.get(item_id=release.pk)

    def refused(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refused)
    at = LIFT
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver_lift_notice(notice.pk, at=at) == "retrying"
        notice.refresh_from_db()
        at = notice.next_attempt_at
    retries = [result.task.run_after for result in default_task_backend.results if result.task.run_after]

    assert retries == [
        LIFT + timedelta(seconds=10),
        LIFT + timedelta(seconds=10, minutes=1),
        LIFT + timedelta(seconds=10, minutes=6),
    ]
    assert [lift_notice_retry_delay(attempts) for attempts in (7, 8, 100)] == [timedelta(days=1)] * 3


def test_a_lift_email_whose_task_was_lost_is_queued_again_by_the_worker(release, django_capture_on_commit_callbacks):
    LiftNotice.objects.create(
        item_id=release.pk, embargo_until=LIFT, lifted_at=LIFT, next_attempt_at=LIFT + timedelta(seconds=10)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert queue_stranded_lift_notices(at=LIFT + timedelta(seconds=60)) == 0  # not stranded yet
        assert queue_stranded_lift_notices(at=LIFT + timedelta(minutes=5)) == 1
        assert queue_stranded_lift_notices(at=LIFT + timedelta(minutes=5)) == 0  # queued once

    assert [message.subject for message in mail.outbox] == ["Pay gap report is live"]


def test_a_lift_stands_when_the_caches_cannot_be_purged(release, monkeypatch, django_capture_on_commit_callbacks):
    def cache_down(tags):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("presscentre.pagecache.purge.purge", cache_down)

    with django_capture_on_commit_callbacks(execute=True):
        assert lift_embargo(release, at=LIFT) is True

    release.refresh_from_db()
    assert release.embargo_lifted_at == LIFT
    assert len(mail.outbox) == 1
