"""Daily and weekly digests (issue 18, item 3): at the site's time, in the site's zone, each subscriber gets what
became public since the last digest among what they follow; nobody gets an empty digest. The mail server is real."""

import zoneinfo
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from presscentre.alerts import digests
from presscentre.alerts.models import AlertSettings, Subscription
from presscentre.alerts.tests.sending_helpers import received, subscribe
from presscentre.distribution import sending
from presscentre.distribution.models import Delivery, Distribution
from presscentre.newsroom.models import PressCentreSettings, ReportPage
from presscentre.newsroom.tests.factories import ArticleFactory, CategoryFactory, PersonFactory, ReportFactory

DAILY = Subscription.Frequency.DAILY
WEEKLY = Subscription.Frequency.WEEKLY
LONDON = zoneinfo.ZoneInfo("Europe/London")
# 08:00 in London on a summer day (BST, UTC+1) is 07:00 UTC.
SUMMER_MOMENT = datetime(2031, 7, 1, 7, 0, tzinfo=UTC)


@pytest.fixture
def site_settings(newsroom):
    """A London site: digests daily at 08:00 and weekly on Mondays at 09:00, London time."""
    site = newsroom.get_site()
    press_centre = PressCentreSettings.for_site(site)
    press_centre.time_zone = "Europe/London"
    press_centre.organisation_name = "The Example Institute"
    press_centre.save()
    alert_settings = AlertSettings.for_site(site)
    alert_settings.daily_digest_time = time(8, 0)
    alert_settings.weekly_digest_day = AlertSettings.Weekday.MONDAY
    alert_settings.weekly_digest_time = time(9, 0)
    alert_settings.save()
    return alert_settings


def public_item(factory, newsroom, *, since: datetime, **kwargs):
    """An item that became public at `since`."""
    with time_machine.travel(since, tick=False):
        item = factory(parent=newsroom, live=True, **kwargs)
    type(item).objects.filter(pk=item.pk).update(first_published_at=since)
    return item


def digests_of(kind):
    return Distribution.objects.filter(kind=kind)


def test_the_daily_digest_moment_is_the_site_time_in_the_site_zone_across_the_clock_changes(site_settings):
    def moment(at):
        return digests.latest_moment(Distribution.Kind.DAILY_DIGEST, at=at, alert_settings=site_settings, zone=LONDON)

    assert moment(datetime(2031, 7, 1, 7, 30, tzinfo=UTC)) == SUMMER_MOMENT
    assert moment(datetime(2031, 7, 1, 6, 59, tzinfo=UTC)) == SUMMER_MOMENT - timedelta(days=1)
    assert moment(datetime(2031, 12, 1, 8, 30, tzinfo=UTC)) == datetime(2031, 12, 1, 8, 0, tzinfo=UTC)
    # The clocks go forward on 30 March 2031: 08:00 is 08:00 GMT the day before and 08:00 BST that day.
    assert moment(datetime(2031, 3, 30, 7, 0, tzinfo=UTC)) == datetime(2031, 3, 30, 7, 0, tzinfo=UTC)
    assert moment(datetime(2031, 3, 30, 6, 59, tzinfo=UTC)) == datetime(2031, 3, 29, 8, 0, tzinfo=UTC)


def test_the_weekly_digest_moment_is_the_chosen_day_and_time(site_settings):
    # Wednesday 2 July 2031: the latest Monday 09:00 BST was 30 June, 08:00 UTC.
    at = datetime(2031, 7, 2, 12, 0, tzinfo=UTC)
    assert digests.latest_moment(
        Distribution.Kind.WEEKLY_DIGEST, at=at, alert_settings=site_settings, zone=LONDON
    ) == datetime(2031, 6, 30, 8, 0, tzinfo=UTC)
    on_monday_before_nine = datetime(2031, 6, 30, 7, 59, tzinfo=UTC)
    assert digests.latest_moment(
        Distribution.Kind.WEEKLY_DIGEST, at=on_monday_before_nine, alert_settings=site_settings, zone=LONDON
    ) == datetime(2031, 6, 23, 8, 0, tzinfo=UTC)


def test_a_digest_is_written_once_its_moment_has_passed_and_only_once(site_settings):
    assert digests.queue_due_digests(at=SUMMER_MOMENT - timedelta(seconds=1))
    before = digests_of(Distribution.Kind.DAILY_DIGEST).get()
    assert before.period_end == SUMMER_MOMENT - timedelta(days=1), "the day before's, on a first run"

    written = digests.queue_due_digests(at=SUMMER_MOMENT)
    assert [digest.kind for digest in written] == [Distribution.Kind.DAILY_DIGEST]
    assert digests.queue_due_digests(at=SUMMER_MOMENT + timedelta(minutes=1)) == []
    today = digests_of(Distribution.Kind.DAILY_DIGEST).get(period_end=SUMMER_MOMENT)
    assert today.period_start == before.period_end, "it follows on from the previous digest"
    assert today.status == Distribution.Status.SCHEDULED and today.send_at == SUMMER_MOMENT


def test_each_subscriber_gets_only_what_they_follow_from_the_window_and_an_empty_digest_is_not_sent(
    newsroom, site_settings, smtp_server
):
    economy = CategoryFactory(name="Economy", slug="economy")
    health = CategoryFactory(name="Health", slug="health")
    fellow = PersonFactory(name="Ada Fellow", slug="ada-fellow")
    subscribe("subscriber-economy@news.example.com", frequency=DAILY, categories=[economy])
    subscribe("subscriber-ada@news.example.com", frequency=DAILY, people=[fellow])
    subscribe("subscriber-reports@news.example.com", frequency=DAILY, types=[ReportPage])
    subscribe("subscriber-weekly@news.example.com", frequency=WEEKLY, everything=True)
    subscribe("subscriber-now@news.example.com", everything=True)
    subscribe("subscriber-paused@news.example.com", frequency=DAILY, everything=True, state="paused")
    in_window = SUMMER_MOMENT - timedelta(hours=3)
    public_item(ArticleFactory, newsroom, since=in_window, title="Rents outpace wages", categories=[economy])
    public_item(ArticleFactory, newsroom, since=in_window, title="Ada on the NHS", categories=[health], people=[fellow])
    public_item(
        ArticleFactory,
        newsroom,
        since=SUMMER_MOMENT - timedelta(days=2),
        title="Old economy news",
        categories=[economy],
    )
    public_item(
        ArticleFactory,
        newsroom,
        since=SUMMER_MOMENT + timedelta(minutes=1),
        title="Too late for today",
        categories=[economy],
    )
    public_item(
        ArticleFactory,
        newsroom,
        since=in_window,
        title="Still embargoed",
        categories=[economy],
        embargo_until=SUMMER_MOMENT + timedelta(days=1),
    )

    digest = digests._write_digest(
        Distribution.Kind.DAILY_DIGEST,
        start=SUMMER_MOMENT - timedelta(days=1),
        end=SUMMER_MOMENT,
        at=SUMMER_MOMENT,
    )
    result = sending.run_distribution(digest.pk, clock=lambda: SUMMER_MOMENT + timedelta(seconds=5))

    assert result.finished
    assert received(smtp_server) == {
        "subscriber-economy@news.example.com": 1,
        "subscriber-ada@news.example.com": 1,
    }, "the reports follower had nothing new: no digest; weekly, immediate and paused subscribers get none today"
    economy_digest = smtp_server.message_to("subscriber-economy@news.example.com")
    assert economy_digest["Subject"] == "Your daily digest from The Example Institute: 1 new item"
    text = economy_digest.get_body(("plain",)).get_content()
    html = economy_digest.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Rents outpace wages" in part
        for other in ("Ada on the NHS", "Old economy news", "Too late for today", "Still embargoed"):
            assert other not in part
    assert "08:00 BST" in text, "the window is stated in the site's zone"
    assert "<img" not in html
    assert economy_digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/subscribe/manage/" in text
    ada_digest = smtp_server.message_to("subscriber-ada@news.example.com")
    assert "Ada on the NHS" in ada_digest.get_body(("plain",)).get_content()
    assert "Rents outpace wages" not in ada_digest.get_body(("plain",)).get_content()


def test_a_window_with_nothing_public_sends_nobody_anything(newsroom, site_settings, smtp_server):
    subscribe("subscriber@news.example.com", frequency=DAILY, everything=True)
    digest = digests._write_digest(
        Distribution.Kind.DAILY_DIGEST, start=SUMMER_MOMENT - timedelta(days=1), end=SUMMER_MOMENT, at=SUMMER_MOMENT
    )

    sending.run_distribution(digest.pk, clock=lambda: SUMMER_MOMENT)

    assert smtp_server.messages == []
    assert not Delivery.objects.filter(distribution=digest).exists()
    assert Distribution.objects.get(pk=digest.pk).status == Distribution.Status.SENT, "to nobody"


def test_a_digest_whose_items_were_withdrawn_after_planning_is_cancelled(newsroom, site_settings, smtp_server):
    subscribe("subscriber@news.example.com", frequency=DAILY, everything=True)
    item = public_item(ArticleFactory, newsroom, since=SUMMER_MOMENT - timedelta(hours=1))
    digest = digests._write_digest(
        Distribution.Kind.DAILY_DIGEST, start=SUMMER_MOMENT - timedelta(days=1), end=SUMMER_MOMENT, at=SUMMER_MOMENT
    )
    sending.create_deliveries(digest, at=SUMMER_MOMENT)
    item.unpublish()

    sending.run_distribution(digest.pk, clock=lambda: SUMMER_MOMENT)

    assert smtp_server.messages == []
    assert Distribution.objects.get(pk=digest.pk).status == Distribution.Status.CANCELLED


def _digest_queries(newsroom, subscribers: int, *, topic: str, moment: datetime) -> tuple[int, int]:
    category = CategoryFactory(name=topic, slug=topic)
    for number in range(subscribers):
        subscribe(f"subscriber-{topic}{number}@news.example.com", frequency=DAILY, categories=[category])
    for number in range(3):
        public_item(ReportFactory, newsroom, since=moment - timedelta(hours=number + 1), categories=[category])
    digest = digests._write_digest(
        Distribution.Kind.DAILY_DIGEST, start=moment - timedelta(days=1), end=moment, at=moment
    )
    with CaptureQueriesContext(connection) as planning:
        deliveries = list(digests.digest_recipients(digest))
    assert len(deliveries) == subscribers
    Delivery.objects.bulk_create(deliveries)
    batch = sending.claim_batch(digest, at=moment, size=subscribers)
    with CaptureQueriesContext(connection) as composing:
        email = digests.compose_digest(digest, at=moment)
        for delivery in batch:
            message = email.message_for(to=delivery.email, link_url="", unsubscribe_url="", delivery=delivery)
            assert "3 new items" in message.subject
    return len(planning), len(composing)


def test_planning_and_composing_a_digest_take_as_many_queries_for_3_subscribers_as_for_40(newsroom, site_settings):
    few = _digest_queries(newsroom, 3, topic="transport", moment=SUMMER_MOMENT)
    many = _digest_queries(newsroom, 40, topic="housing", moment=SUMMER_MOMENT + timedelta(days=2))
    assert few == many
