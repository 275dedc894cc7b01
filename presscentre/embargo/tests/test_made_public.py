"""The apps above learn when an item becomes public, and only then: at the lift, or when it is published with no
embargo still running, never while it is embargoed; and a listener that fails does not undo the lift."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from presscentre.embargo.services import lift_embargo
from presscentre.embargo.signals import item_made_public
from presscentre.newsroom.tests.factories import ArticleFactory, PressReleaseFactory

LIFT = datetime(2030, 3, 2, 0, 1, tzinfo=UTC)


@pytest.fixture
def heard():
    """What a listener heard: (title, instant, whether it was told inside the transaction that made it so)."""
    told = []

    def listener(sender, item, at, **kwargs):
        told.append((item.title, at, connection.in_atomic_block))

    item_made_public.connect(listener, dispatch_uid="test-listener")
    yield told
    item_made_public.disconnect(dispatch_uid="test-listener")


def publish(page):
    page.save_revision().publish()


def test_the_lift_says_the_item_is_public_once_at_its_instant(newsroom, heard):
    with time_machine.travel(LIFT - timedelta(hours=1), tick=False):
        release = PressReleaseFactory(parent=newsroom, title="Pay gap report", embargo_until=LIFT, live=False)
        publish(release)
    assert heard == [], "published under embargo: not public yet"
    release.refresh_from_db()

    assert lift_embargo(release, at=LIFT - timedelta(seconds=1)) is False
    assert lift_embargo(release, at=LIFT) is True
    assert lift_embargo(release, at=LIFT + timedelta(seconds=5)) is False

    assert heard == [("Pay gap report", LIFT, True)]


def test_publishing_with_no_embargo_running_says_the_item_is_public(newsroom, heard):
    with time_machine.travel(LIFT, tick=False):
        article = ArticleFactory(parent=newsroom, title="What the budget means", live=False)
        publish(article)
        past = PressReleaseFactory(
            parent=newsroom, title="Old news", embargo_until=LIFT - timedelta(days=1), live=False
        )
        publish(past)

    assert [(title, at) for title, at, _ in heard] == [("What the budget means", LIFT), ("Old news", LIFT)]


def test_a_failing_listener_does_not_undo_the_lift(newsroom, heard, caplog):
    def broken(sender, item, at, **kwargs):
        raise RuntimeError("listener bug")

    item_made_public.connect(broken, dispatch_uid="test-broken")
    try:
        release = PressReleaseFactory(parent=newsroom, title="Pay gap report", embargo_until=LIFT)
        assert lift_embargo(release, at=LIFT) is True
    finally:
        item_made_public.disconnect(dispatch_uid="test-broken")

    release.refresh_from_db()
    assert release.embargo_lifted_at == LIFT
    assert heard == [("Pay gap report", LIFT, True)]
    assert "listener bug" in caplog.text
