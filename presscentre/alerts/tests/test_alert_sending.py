"""Immediate alerts (issue 18, items 3 and 4): an item that becomes public is emailed to the subscribers who follow
it, once each, at its publication or at its embargo's lift and never before; the mail server is real."""

import email as email_parser
import email.policy as email_policy
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test.utils import CaptureQueriesContext

from presscentre.alerts import alerting, tokens
from presscentre.alerts.emails import PreparedAlertMessage
from presscentre.alerts.models import Subscription
from presscentre.alerts.tests.sending_helpers import publish, received, sent_at, subscribe
from presscentre.core.urls_public import public_page_url
from presscentre.distribution import sending
from presscentre.distribution.models import BOUNCE_LIMIT, Delivery, Distribution
from presscentre.embargo.services import lift_due_embargoes
from presscentre.newsroom.models import ArticlePage, PressCentreSettings, PressReleasePage, ReportPage
from presscentre.newsroom.signals import demo_embargo_moved
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    PersonFactory,
    PressReleaseFactory,
)

NOW = datetime(2031, 3, 4, 9, 30, tzinfo=UTC)
LIFT = NOW + timedelta(hours=2)


def alerts_of(item):
    return Distribution.objects.filter(kind=Distribution.Kind.ALERT, item=item.pk)


@pytest.fixture
def economy(db):
    return CategoryFactory(name="Economy", slug="economy")


def test_an_item_published_is_alerted_at_once_to_its_followers(
    newsroom, smtp_server, economy, django_capture_on_commit_callbacks
):
    follower = subscribe("subscriber-economy@news.example.com", categories=[economy])
    subscribe("subscriber-health@news.example.com", categories=[CategoryFactory(name="Health", slug="health")])
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(
            parent=newsroom,
            title="What the budget means for renters",
            summary="Rents rise faster than wages in every region.",
            live=False,
            categories=[economy],
        )
        with django_capture_on_commit_callbacks(execute=True):
            publish(article)

    assert received(smtp_server) == {"subscriber-economy@news.example.com": 1}
    message = smtp_server.message_to("subscriber-economy@news.example.com")
    assert message["Subject"] == "Article: What the budget means for renters"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Rents rise faster than wages in every region." in part
        assert public_page_url(article) in part
        assert "Economy" in part and "Article" in part
    assert "<img" not in html, "no pictures, no tracking pixels"
    assert message["Message-ID"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert "/subscribe/unsubscribe/" in unsubscribe and unsubscribe in text
    assert "/subscribe/manage/" in text
    from presscentre.alerts.tokens import subscription_for_manage_token

    token = unsubscribe.rstrip("/").rsplit("/", 1)[-1]
    assert subscription_for_manage_token(token) == follower
    alert = alerts_of(article).get()
    assert alert.status == Distribution.Status.SENT
    assert list(alert.deliveries.values_list("email", "status")) == [
        ("subscriber-economy@news.example.com", Delivery.Status.SENT)
    ]


def test_an_embargoed_release_is_alerted_at_its_lift_and_not_a_moment_before(
    newsroom, smtp_server, economy, django_capture_on_commit_callbacks
):
    subscribe("subscriber@news.example.com", types=[PressReleasePage])
    with time_machine.travel(NOW, tick=False):
        release = PressReleaseFactory(
            parent=newsroom, title="Households worse off", embargo_until=LIFT, live=False, categories=[economy]
        )
        with django_capture_on_commit_callbacks(execute=True):
            publish(release)
    assert not alerts_of(release).exists(), "published under embargo: no alert exists to leak"

    with time_machine.travel(LIFT - timedelta(seconds=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert lift_due_embargoes(at=LIFT - timedelta(seconds=1)) == 0
            assert alerting.catch_up_alerts(at=LIFT - timedelta(seconds=1)) == 0
    assert not alerts_of(release).exists()
    assert smtp_server.messages == []

    with time_machine.travel(LIFT, tick=True):
        with django_capture_on_commit_callbacks(execute=True):
            assert lift_due_embargoes(at=LIFT) == 1

    assert received(smtp_server) == {"subscriber@news.example.com": 1}
    message = smtp_server.message_to("subscriber@news.example.com")
    assert message["Subject"] == "Press Release: Households worse off"
    # The release's lead stands in for a summary.
    assert "The institute today published new figures" in message.get_body(("plain",)).get_content()
    assert all(sent_at(message) >= LIFT for _, message in smtp_server.messages)
    assert alerts_of(release).get().send_at == LIFT


def test_an_alert_that_finds_its_item_embargoed_again_sends_nothing(newsroom, smtp_server, economy):
    subscribe("subscriber@news.example.com", everything=True)
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(parent=newsroom, live=False)
        publish(article)  # the test's transaction never commits: the alert is written, its run not started
    alert = alerts_of(article).get()
    type(article).objects.filter(pk=article.pk).update(embargo_until=NOW + timedelta(days=1))

    sending.run_distribution(alert.pk, clock=lambda: NOW + timedelta(seconds=1))

    assert smtp_server.messages == []
    assert Distribution.objects.get(pk=alert.pk).status == Distribution.Status.CANCELLED


def test_a_subscriber_following_an_item_several_ways_gets_one_email(
    newsroom, smtp_server, economy, django_capture_on_commit_callbacks
):
    fellow = PersonFactory(name="Ada Fellow", slug="ada-fellow")
    subscribe(
        "subscriber@news.example.com", everything=True, types=[ArticlePage], categories=[economy], people=[fellow]
    )
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(parent=newsroom, live=False, categories=[economy], people=[fellow])
        with django_capture_on_commit_callbacks(execute=True):
            publish(article)

    assert received(smtp_server) == {"subscriber@news.example.com": 1}
    assert alerts_of(article).get().deliveries.count() == 1


def test_paused_unconfirmed_opted_out_bouncing_and_digest_subscribers_get_no_alert(
    newsroom, smtp_server, economy, django_capture_on_commit_callbacks
):
    subscribe("subscriber-active@news.example.com", categories=[economy])
    subscribe("subscriber-paused@news.example.com", categories=[economy], state=Subscription.State.PAUSED)
    subscribe("subscriber-pending@news.example.com", categories=[economy], state=Subscription.State.PENDING)
    subscribe("subscriber-out@news.example.com", categories=[economy], opted_out=True)
    subscribe("subscriber-bouncing@news.example.com", categories=[economy], bounce_count=BOUNCE_LIMIT)
    subscribe("subscriber-daily@news.example.com", categories=[economy], frequency=Subscription.Frequency.DAILY)
    subscribe("subscriber-reports@news.example.com", types=[ReportPage])
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(parent=newsroom, live=False, categories=[economy])
        with django_capture_on_commit_callbacks(execute=True):
            publish(article)

    assert received(smtp_server) == {"subscriber-active@news.example.com": 1}


def test_publishing_an_item_again_does_not_alert_again(
    newsroom, smtp_server, economy, django_capture_on_commit_callbacks
):
    subscribe("subscriber@news.example.com", categories=[economy])
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(parent=newsroom, live=False, categories=[economy])
        with django_capture_on_commit_callbacks(execute=True):
            publish(article)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        article.title = "Corrected title"
        with django_capture_on_commit_callbacks(execute=True):
            publish(article)
        article.unpublish()
        with django_capture_on_commit_callbacks(execute=True):
            publish(article)
    # Published long ago and published again today: not news either.
    with time_machine.travel(NOW, tick=False):
        old = ArticleFactory(parent=newsroom, live=True, categories=[economy])
    type(old).objects.filter(pk=old.pk).update(first_published_at=NOW - timedelta(days=30))
    old.refresh_from_db()
    with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            publish(old)

    assert received(smtp_server) == {"subscriber@news.example.com": 1}
    assert alerts_of(article).count() == 1
    assert not alerts_of(old).exists()


def test_an_item_backdated_once_published_is_not_news_and_its_alert_goes_to_nobody(
    newsroom, smtp_server, economy, django_capture_on_commit_callbacks
):
    subscribe("subscriber@news.example.com", categories=[economy])
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(parent=newsroom, live=False, categories=[economy])
        publish(article)  # as the demo and imports do: published, then given its real history
        type(article).objects.filter(pk=article.pk).update(first_published_at=NOW - timedelta(days=20))
        result = sending.run_distribution(alerts_of(article).get().pk, clock=lambda: NOW)

    assert result.finished and result.sent == 0
    assert smtp_server.messages == []


def test_the_demos_rehearsal_of_a_lift_alerts_again_at_each_lift(
    newsroom, smtp_server, django_capture_on_commit_callbacks
):
    subscribe("subscriber@news.example.com", everything=True)
    with time_machine.travel(NOW, tick=False):
        release = PressReleaseFactory(parent=newsroom, embargo_until=NOW + timedelta(seconds=20), live=False)
        publish(release)
    for lift in (NOW + timedelta(seconds=20), NOW + timedelta(minutes=5)):
        with time_machine.travel(lift, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                assert lift_due_embargoes(at=lift) == 1
        # What `load_demo_data --embargo-in` does to watch the lift again: the release is embargoed anew.
        demo_embargo_moved.send(sender=PressReleasePage, item=release)
        type(release).objects.filter(pk=release.pk).update(
            embargo_until=NOW + timedelta(minutes=5), embargo_lifted_at=None
        )
        release.refresh_from_db()

    assert received(smtp_server) == {"subscriber@news.example.com": 2}


class WorkerKilled(BaseException):
    """The worker's process ends here (SIGKILL): nothing after this line runs."""


def test_a_worker_killed_mid_send_sends_nobody_twice(newsroom, smtp_server, economy, settings, monkeypatch):
    settings.PRESSCENTRE_DISTRIBUTION_BATCH_SIZE = 3
    for number in range(6):
        subscribe(f"subscriber{number}@news.example.com", categories=[economy])
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(parent=newsroom, live=False, categories=[economy])
        publish(article)
    alert = alerts_of(article).get()
    real_send_one, handed = sending.send_one, []

    def send_one(email, delivery, **kwargs):
        message_id = real_send_one(email, delivery, **kwargs)
        handed.append(delivery.email)
        if len(handed) == 4:
            raise WorkerKilled  # the fourth message went; its outcome was never written
        return message_id

    monkeypatch.setattr(sending, "send_one", send_one)
    with pytest.raises(WorkerKilled):
        sending.run_distribution(alert.pk, clock=lambda: NOW)
    monkeypatch.setattr(sending, "send_one", real_send_one)
    after_the_lease = NOW + sending.claim_lease() + timedelta(seconds=1)
    result = sending.run_distribution(alert.pk, clock=lambda: after_the_lease)

    assert result.finished
    assert received(smtp_server) == {f"subscriber{number}@news.example.com": 1 for number in range(6)}
    statuses = dict(alert.deliveries.values_list("email", "status"))
    assert statuses.pop(handed[3]) == Delivery.Status.INTERRUPTED, "it may have arrived: never sent again"
    assert set(statuses.values()) == {Delivery.Status.SENT}


def test_the_catch_up_alerts_an_item_whose_moment_was_missed(
    newsroom, smtp_server, economy, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    subscribe("subscriber@news.example.com", categories=[economy], confirmed_at=NOW - timedelta(days=2))

    def receiver_fails(item, *, at):
        raise RuntimeError("the alert could not be written")

    monkeypatch.setattr(alerting, "create_alert", receiver_fails)
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(parent=newsroom, live=False, categories=[economy])
        with django_capture_on_commit_callbacks(execute=True):
            publish(article)
    article.refresh_from_db()
    assert article.live and not alerts_of(article).exists()
    assert "the alert could not be written" in caplog.text
    monkeypatch.undo()
    # Public before anyone could subscribe, or over an hour ago: the catch-up leaves these alone.
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        before_subscribers = ArticleFactory(parent=newsroom, live=True, categories=[economy])
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        long_ago = ArticleFactory(parent=newsroom, live=True, categories=[economy])
    type(article).objects.filter(pk=before_subscribers.pk).update(first_published_at=NOW - timedelta(days=3))
    type(article).objects.filter(pk=long_ago.pk).update(first_published_at=NOW - timedelta(hours=2))

    at = NOW + timedelta(seconds=30)
    with time_machine.travel(at, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert alerting.catch_up_alerts(at=at) == 1
        assert alerting.catch_up_alerts(at=at + timedelta(seconds=30)) == 0

    assert received(smtp_server) == {"subscriber@news.example.com": 1}
    assert alerts_of(article).get().status == Distribution.Status.SENT
    assert not alerts_of(before_subscribers).exists() and not alerts_of(long_ago).exists()


def test_the_catch_up_alerts_nobody_before_anyone_has_subscribed(newsroom, economy):
    with time_machine.travel(NOW, tick=False):
        ArticleFactory(parent=newsroom, live=True, categories=[economy])
        assert alerting.catch_up_alerts(at=NOW) == 0
    assert not Distribution.objects.exists()


def _planning_and_composing_queries(newsroom, subscribers: int, *, topic: str) -> tuple[int, int]:
    category = CategoryFactory(name=topic, slug=topic)
    for number in range(subscribers):
        subscribe(f"subscriber-{topic}{number}@news.example.com", categories=[category])
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(parent=newsroom, live=False, categories=[category])
        publish(article)
    alert = alerts_of(article).get()
    with CaptureQueriesContext(connection) as planning:
        deliveries = list(alerting.alert_recipients(alert))
    assert len(deliveries) == subscribers
    Delivery.objects.bulk_create(deliveries)
    batch = sending.claim_batch(alert, at=NOW, size=subscribers)
    with CaptureQueriesContext(connection) as composing:
        email = alerting.compose_alert(alert, at=NOW)
        for delivery in batch:
            email.message_for(to=delivery.email, link_url=email.public_url, unsubscribe_url="", delivery=delivery)
    return len(planning), len(composing)


def test_planning_and_composing_an_alert_take_as_many_queries_for_3_subscribers_as_for_40(newsroom):
    PressCentreSettings.for_site(newsroom.get_site())  # the site's settings exist, as they do once it is set up
    few = _planning_and_composing_queries(newsroom, 3, topic="transport")
    many = _planning_and_composing_queries(newsroom, 40, topic="housing")
    assert few == many


def test_an_alert_serialised_once_is_byte_for_byte_the_message_built_in_full(newsroom, economy):
    subscriber = subscribe("subscriber@news.example.com", categories=[economy])
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(parent=newsroom, title="Rents \u00a3100 up", live=False, categories=[economy])
        publish(article)
        alert = alerts_of(article).get()
        delivery = Delivery.objects.create(distribution=alert, contact=subscriber.contact, email=subscriber.email)
        email = alerting.compose_alert(alert, at=NOW)
        prepared = email.message_for(to=subscriber.email, link_url="", unsubscribe_url="", delivery=delivery)
        full = EmailMultiAlternatives.message(prepared).as_bytes(linesep="\r\n")
        unsubscribe = tokens.unsubscribe_url(subscriber)

    assert isinstance(prepared, PreparedAlertMessage), "an ASCII address takes the serialised-once path"
    fast = prepared.message().as_bytes(linesep="\r\n")
    parsed_fast = email_parser.message_from_bytes(fast, policy=email_policy.default)
    parsed_full = email_parser.message_from_bytes(full, policy=email_policy.default)
    for header in ("Subject", "From", "To", "Message-ID", "Date", "List-Unsubscribe", "List-Unsubscribe-Post"):
        assert str(parsed_fast[header]).strip() == str(parsed_full[header]).strip(), header
    for kind in ("plain", "html"):
        assert parsed_fast.get_body((kind,)).get_content() == parsed_full.get_body((kind,)).get_content()
    assert unsubscribe in parsed_fast.get_body(("plain",)).get_content()


def test_recipients_are_read_in_chunks_each_once(newsroom, economy, monkeypatch):
    monkeypatch.setattr(alerting, "CHUNK_SIZE", 2)
    subscribers = [subscribe(f"subscriber{number}@news.example.com", categories=[economy]) for number in range(5)]
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(parent=newsroom, live=False, categories=[economy])
        publish(article)

    with CaptureQueriesContext(connection) as queries:
        planned = [delivery.contact_id for delivery in alerting.alert_recipients(alerts_of(article).get())]

    assert planned == sorted(subscriber.contact_id for subscriber in subscribers)
    assert sum("alerts_subscription" in query["sql"] for query in queries.captured_queries) == 3
