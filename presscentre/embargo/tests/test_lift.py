import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from wagtail.models import PageLogEntry

from presscentre.core.urls_public import public_url
from presscentre.embargo.services import due_for_lift, lift_due_embargoes, lift_embargo, schedule_lift
from presscentre.newsroom.models import NewsItemPage, PressCentreSettings
from presscentre.newsroom.tests.factories import ArticleFactory, PressReleaseFactory

LIFT = datetime(2030, 3, 2, 0, 1, tzinfo=UTC)


@pytest.fixture
def release(newsroom):
    settings = PressCentreSettings.for_site(newsroom.get_site())
    settings.press_office_email = "pressoffice@example.org"
    settings.save()
    return PressReleaseFactory(parent=newsroom, title="Pay gap report", embargo_until=LIFT)


def lift_entries(item):
    return PageLogEntry.objects.filter(page=item, action__startswith="presscentre.embargo.")


def test_lift_before_the_instant_changes_nothing(release):
    assert lift_embargo(release, at=LIFT - timedelta(seconds=1)) is False

    release.refresh_from_db()
    assert release.embargo_lifted_at is None
    assert not lift_entries(release).exists()
    assert mail.outbox == []


def test_lift_at_the_instant_logs_and_tells_the_press_office(release, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert lift_embargo(release, at=LIFT) is True

    release.refresh_from_db()
    assert release.embargo_lifted_at == LIFT
    entry = lift_entries(release).get()
    assert entry.action == "presscentre.embargo.lift"
    assert entry.data["delay_seconds"] == 0
    [message] = mail.outbox
    assert message.subject == "Pay gap report is live"
    assert message.to == ["pressoffice@example.org"]
    assert public_url("/pay-gap-report/") in message.body


def test_a_second_lift_does_nothing(release, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert lift_embargo(release, at=LIFT) is True
        assert lift_embargo(release, at=LIFT + timedelta(seconds=1)) is False

    assert lift_entries(release).count() == 1
    assert len(mail.outbox) == 1


def test_a_lift_over_a_minute_late_is_reported_as_missed(release, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lift_embargo(release, at=LIFT + timedelta(seconds=61))

    assert lift_entries(release).get().action == "presscentre.embargo.missed"
    assert mail.outbox[0].subject.startswith("Missed embargo: Pay gap report is live, 61 s late")


def test_a_lift_within_the_minute_is_on_time(release):
    lift_embargo(release, at=LIFT + timedelta(seconds=60))

    assert lift_entries(release).get().action == "presscentre.embargo.lift"


def test_an_unpublished_item_is_not_lifted(newsroom):
    draft = PressReleaseFactory(parent=newsroom, embargo_until=LIFT, live=False)

    assert lift_embargo(draft, at=LIFT) is False


def test_a_moved_embargo_is_not_lifted_at_the_old_instant(release):
    stale_copy = NewsItemPage.objects.get(pk=release.pk)
    NewsItemPage.objects.filter(pk=release.pk).update(embargo_until=LIFT + timedelta(hours=1))

    assert lift_embargo(stale_copy, at=LIFT) is False


def test_the_sweep_lifts_only_what_is_due(newsroom, release):
    later = PressReleaseFactory(parent=newsroom, embargo_until=LIFT + timedelta(minutes=5))
    ArticleFactory(parent=newsroom)

    assert list(due_for_lift(LIFT).values_list("pk", flat=True)) == [release.pk]
    assert lift_due_embargoes(at=LIFT) == 1
    assert lift_due_embargoes(at=LIFT) == 0
    later.refresh_from_db()
    assert later.embargo_lifted_at is None


def test_the_sweep_command_lifts_overdue_embargoes(release):
    with time_machine.travel(LIFT + timedelta(seconds=2), tick=False):
        call_command("lift_due_embargoes")

    release.refresh_from_db()
    assert release.embargo_lifted_at == LIFT + timedelta(seconds=2)


def test_the_sweep_command_refuses_a_silly_interval(release):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--every must be between 0.1 and 60 seconds."):
        call_command("lift_due_embargoes", every=0)


def test_a_request_for_an_overdue_item_lifts_it_on_the_spot(release, reader):
    with time_machine.travel(LIFT + timedelta(seconds=3), tick=False):
        response = reader.get(release.url)

    assert response.status_code == 200
    release.refresh_from_db()
    assert release.embargo_lifted_at == LIFT + timedelta(seconds=3)


def test_publishing_an_embargoed_item_queues_its_lift_for_the_instant(newsroom, settings):
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    release = PressReleaseFactory(parent=newsroom, embargo_until=LIFT, live=False)

    release.save_revision().publish()

    queued = [result for result in default_task_backend.results if result.task.name == "lift_embargo_task"]
    assert [(result.task.run_after, result.args) for result in queued] == [(LIFT, [release.pk])]


def test_the_lift_task_lifts_when_run(release):
    from presscentre.embargo.tasks import lift_embargo_task

    with time_machine.travel(LIFT, tick=False):
        result = lift_embargo_task.enqueue(release.pk)

    assert result.return_value is True


def test_schedule_lift_skips_items_without_an_embargo(newsroom, settings):
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()

    schedule_lift(ArticleFactory(parent=newsroom))

    assert not [result for result in default_task_backend.results if result.task.name == "lift_embargo_task"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_lifters_at_once_lift_exactly_once(newsroom):
    release = PressReleaseFactory(parent=newsroom, embargo_until=LIFT)
    barrier = threading.Barrier(2)
    outcomes = []

    def lifter():
        try:
            copy = NewsItemPage.objects.get(pk=release.pk).specific
            barrier.wait(timeout=10)
            outcomes.append(lift_embargo(copy, at=LIFT))
        finally:
            connection.close()

    threads = [threading.Thread(target=lifter) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == [False, True]
    assert lift_entries(release).count() == 1
    assert len(mail.outbox) == 1


def test_publishing_a_revision_saved_before_the_lift_keeps_the_lift(release):
    draft = release.save_revision()
    lift_embargo(release, at=LIFT)

    draft.publish()

    release.refresh_from_db()
    assert release.embargo_lifted_at == LIFT
    assert due_for_lift(LIFT + timedelta(seconds=1)).count() == 0


def test_the_admin_calls_a_published_embargoed_item_embargoed_until_the_lift(release):
    with time_machine.travel(LIFT - timedelta(seconds=1), tick=False):
        assert release.status_string == "live, embargoed until 00:01 GMT, Saturday 2 March 2030"
    with time_machine.travel(LIFT, tick=False):
        assert release.status_string == "live"
