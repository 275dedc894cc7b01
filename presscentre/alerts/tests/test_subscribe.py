"""Signing up: the footer form and the /subscribe/ page, double opt-in over real SMTP, the same answer for every
address, rate limits, bad input, expiry."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from presscentre.alerts import subscribing, tokens
from presscentre.alerts.models import AlertSettings, Subscription
from presscentre.distribution.models import MediaContact
from presscentre.newsroom.models import PressCentreSettings
from presscentre.newsroom.tests.factories import CategoryFactory, PersonFactory, PressReleaseFactory

NOW = datetime(2030, 3, 2, 9, 0, tzinfo=UTC)
FOOTER = {"source": "footer", "everything": "on", "frequency": "immediate"}
SUBSCRIBE = "/subscribe/"


@pytest.fixture
def site_settings(newsroom):
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    PressCentreSettings.objects.update_or_create(site=site, defaults={"organisation_name": "The Ledger Institute"})
    alert_settings, _ = AlertSettings.objects.update_or_create(
        site=site,
        defaults={
            "consent_text": "Yes, email me what I follow here.",
            "confirmation_text": "Someone asked us to send alerts to this address.",
        },
    )
    return alert_settings


def sign_up_by_post(client, capture, data, **extra):
    with capture(execute=True):
        return client.post(SUBSCRIBE, data, **extra)


def text_and_html(message) -> tuple[str, str]:
    return (
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    )


def test_a_footer_sign_up_sends_only_the_confirmation_email_over_smtp(
    client, site_settings, smtp_server, django_capture_on_commit_callbacks
):
    response = sign_up_by_post(client, django_capture_on_commit_callbacks, {**FOOTER, "email": " Reader@Example.COM "})

    assert response.status_code == 302
    assert response["Location"] == reverse("alerts:sent")
    subscription = Subscription.objects.get()
    assert subscription.email == "reader@example.com"
    assert subscription.state == Subscription.State.PENDING
    assert subscription.everything and subscription.frequency == Subscription.Frequency.IMMEDIATE
    assert subscription.contact is None
    assert not MediaContact.objects.exists()
    assert subscription.consent_source == "footer"
    assert subscription.consent_text == "Yes, email me what I follow here."
    assert subscription.consent_at is not None
    assert smtp_server.recipients() == {"reader@example.com": 1}
    message = smtp_server.message_to("reader@example.com")
    assert message["Subject"] == "Confirm your alerts from The Ledger Institute"
    text, html = text_and_html(message)
    confirm_path = reverse("alerts:confirm", args=[tokens.confirm_token(subscription)])
    for body in (text, html):
        assert "Someone asked us to send alerts to this address." in body
        assert "Everything we publish" in body
        assert "As soon as it is public" in body
        assert confirm_path in body
        assert "The Ledger Institute" in body


def test_the_subscribe_page_records_the_chosen_types_topics_people_and_frequency(
    client, site_settings, newsroom, smtp_server, django_capture_on_commit_callbacks
):
    economy, health = CategoryFactory(name="Economy"), CategoryFactory(name="Health")
    fellow = PersonFactory(name="Ada Fellow")
    PressReleaseFactory(parent=newsroom, categories=[economy, health], people=[fellow])

    page = client.get(SUBSCRIBE)
    assert page.status_code == 200
    assert "Economy" in page.content.decode() and "Ada Fellow" in page.content.decode()
    response = sign_up_by_post(
        client,
        django_capture_on_commit_callbacks,
        {
            "source": "subscribe page",
            "email": "desk@news.example.com",
            "types": ["reportpage", "articlepage"],
            "categories": [economy.pk],
            "people": [fellow.pk],
            "frequency": "weekly",
        },
    )

    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert not subscription.everything
    assert sorted(subscription.types.values_list("model", flat=True)) == ["articlepage", "reportpage"]
    assert list(subscription.categories.all()) == [economy]
    assert list(subscription.people.all()) == [fellow]
    assert subscription.frequency == "weekly"
    assert subscription.consent_source == "subscribe page"
    text, _html = text_and_html(smtp_server.message_to("desk@news.example.com"))
    assert "Types: Articles, Reports" in text
    assert "Topics: Economy" in text
    assert "People: Ada Fellow" in text
    assert "How often: Weekly digest" in text


def test_an_embargoed_items_topic_is_not_offered(client, newsroom):
    secret = CategoryFactory(name="Secret merger")
    PressReleaseFactory(parent=newsroom, categories=[secret], embargo_until=datetime(2999, 1, 1, tzinfo=UTC))

    assert "Secret merger" not in client.get(SUBSCRIBE).content.decode()


def test_choosing_nothing_is_a_clear_error_not_everything(client, site_settings):
    response = client.post(SUBSCRIBE, {"email": "reader@example.com", "frequency": "daily"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Choose what to follow" in content
    assert 'href="#id_everything"' in content  # the error summary leads to the field
    assert 'value="reader@example.com"' in content
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("not-an-address", "Enter your email address in the form name@example.com."),
        ("reader@", "Enter your email address in the form name@example.com."),
        ("", "Enter your email address."),
        ("a" * 250 + "@example.com", "An email address has at most 254 characters."),
    ],
)
def test_a_malformed_address_gets_one_clear_message_and_keeps_what_was_typed(client, site_settings, typed, message):
    response = client.post(SUBSCRIBE, {**FOOTER, "email": typed})

    assert response.status_code == 200
    content = response.content.decode()
    assert content.count(message) == 2  # in the summary and beside the field, nothing else
    assert 'aria-invalid="true"' in content
    assert f'value="{typed}"' in content or not typed
    assert 'id="id_everything" checked' in content  # the footer's "everything" is kept too
    assert not Subscription.objects.exists()


def test_over_long_and_unknown_choices_are_form_errors_not_failures(client, site_settings):
    response = client.post(
        SUBSCRIBE,
        {
            "email": "reader@example.com",
            "categories": ["999999", "x" * 5000],
            "frequency": "hourly",
            "everything": "on",
        },
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "That topic is no longer offered: choose from the list." in content
    assert "Choose how often you want to hear from us." in content
    assert "x" * 100 not in content
    assert not Subscription.objects.exists()


def test_the_same_address_twice_is_one_subscription_and_one_email_an_hour(
    site_settings, smtp_server, django_capture_on_commit_callbacks
):
    everything = subscribing.Choices(everything=True)
    for minutes, address in ((0, "reader@example.com"), (20, "READER@example.com"), (59, " reader@EXAMPLE.com")):
        with django_capture_on_commit_callbacks(execute=True):
            subscribing.sign_up(
                address, everything, consent_text="c", consent_source="footer", at=NOW + timedelta(minutes=minutes)
            )

    assert Subscription.objects.count() == 1
    assert smtp_server.recipients() == {"reader@example.com": 1}

    with django_capture_on_commit_callbacks(execute=True):
        subscribing.sign_up(
            "reader@example.com", everything, consent_text="c", consent_source="footer", at=NOW + timedelta(hours=1)
        )

    assert smtp_server.recipients() == {"reader@example.com": 2}
    assert Subscription.objects.count() == 1


def test_the_answer_is_the_same_whether_the_address_is_new_pending_or_subscribed(
    client, site_settings, django_capture_on_commit_callbacks
):
    pending = subscribing.sign_up(
        "pending@example.com", subscribing.Choices(everything=True), consent_text="c", consent_source="footer", at=NOW
    )
    active = subscribing.sign_up(
        "active@example.com", subscribing.Choices(everything=True), consent_text="c", consent_source="footer", at=NOW
    )
    subscribing.confirm(active, at=NOW)

    answers = []
    for address in ("new@example.com", "pending@example.com", "active@example.com"):
        response = sign_up_by_post(client, django_capture_on_commit_callbacks, {**FOOTER, "email": address})
        followed = client.get(response["Location"])
        answers.append((response.status_code, response["Location"], followed.status_code, followed.content))

    assert answers[0] == answers[1] == answers[2]
    assert b"Check your email" in answers[0][3]
    assert pending.pk


def test_signing_up_again_when_subscribed_keeps_the_alerts_until_the_new_choices_are_confirmed(
    site_settings, smtp_server, django_capture_on_commit_callbacks
):
    economy = CategoryFactory(name="Economy")
    with django_capture_on_commit_callbacks(execute=True):
        subscription = subscribing.sign_up(
            "reader@example.com",
            subscribing.Choices(everything=True),
            consent_text="old",
            consent_source="footer",
            at=NOW,
        )
    subscribing.confirm(subscription, at=NOW)
    later = NOW + timedelta(hours=2)

    with django_capture_on_commit_callbacks(execute=True):
        subscribing.sign_up(
            "reader@example.com",
            subscribing.Choices(categories=(economy.pk,), frequency="daily"),
            consent_text="new",
            consent_source="subscribe page",
            at=later,
        )

    subscription.refresh_from_db()
    assert subscription.everything and subscription.frequency == "immediate"
    assert subscription.state == Subscription.State.ACTIVE
    assert subscription.pending_choices["categories"] == [economy.pk]
    assert smtp_server.recipients() == {"reader@example.com": 2}
    text, _html = text_and_html(smtp_server.messages[-1][1])
    assert "will change to" in text and "Topics: Economy" in text

    assert subscribing.confirm(subscription, at=later) == "updated"

    subscription.refresh_from_db()
    assert not subscription.everything
    assert list(subscription.categories.all()) == [economy]
    assert subscription.frequency == "daily"
    assert subscription.pending_choices == {}
    assert subscription.consent_text == "new" and subscription.consent_source == "subscribe page"


def test_confirming_needs_a_post_and_makes_the_address_a_media_contact(client, site_settings):
    subscription = subscribing.sign_up(
        "reader@example.com", subscribing.Choices(everything=True), consent_text="c", consent_source="footer", at=NOW
    )
    path = reverse("alerts:confirm", args=[tokens.confirm_token(subscription)])

    page = client.get(path)  # what a mail scanner fetching the link does

    assert page.status_code == 200
    assert "Confirm my alerts" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    subscription.refresh_from_db()
    assert subscription.state == Subscription.State.PENDING

    confirmed = client.post(path)

    assert confirmed.status_code == 200
    assert "You are subscribed" in confirmed.content.decode()
    subscription.refresh_from_db()
    assert subscription.state == Subscription.State.ACTIVE
    assert subscription.confirmed_at is not None
    contact = subscription.contact
    assert contact.email == "reader@example.com"
    assert contact.name == ""
    assert contact.consent_basis == MediaContact.ConsentBasis.CONSENT
    assert contact.consent_date is not None
    assert client.post(path).status_code == 200  # a second press changes nothing
    assert MediaContact.objects.count() == 1


def test_a_subscriber_who_is_already_a_media_contact_keeps_that_contact(site_settings):
    existing = MediaContact.objects.create(
        name="Ada Reporter", email="ada@news.example.com", outlet="The Daily Ledger", consent_date=date(2020, 1, 1)
    )
    subscription = subscribing.sign_up(
        "Ada@News.example.com", subscribing.Choices(everything=True), consent_text="c", consent_source="footer", at=NOW
    )

    assert subscribing.confirm(subscription, at=NOW) == "confirmed"

    subscription.refresh_from_db()
    assert subscription.contact_id == existing.pk
    existing.refresh_from_db()
    assert (existing.name, existing.outlet) == ("Ada Reporter", "The Daily Ledger")
    assert existing.consent_basis == MediaContact.ConsentBasis.LEGITIMATE_INTEREST
    assert existing.consent_date == date(2020, 1, 1)


def test_a_tampered_confirmation_link_gets_a_friendly_page(client, site_settings):
    subscription = subscribing.sign_up(
        "reader@example.com", subscribing.Choices(everything=True), consent_text="c", consent_source="footer", at=NOW
    )
    token = tokens.confirm_token(subscription)

    for bad in (token[:-2] + "xx", "nonsense", tokens.manage_token(subscription)):
        for method in (client.get, client.post):
            response = method(reverse("alerts:confirm", args=[bad]))
            assert response.status_code == 404
            assert "This link does not work" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.state == Subscription.State.PENDING


def test_an_unconfirmed_sign_up_expires_after_seven_days(client, site_settings):
    with time_machine.travel(NOW, tick=False):
        subscription = subscribing.sign_up(
            "reader@example.com",
            subscribing.Choices(everything=True),
            consent_text="c",
            consent_source="footer",
            at=NOW,
        )
        path = reverse("alerts:confirm", args=[tokens.confirm_token(subscription)])
    kept = subscribing.sign_up(
        "later@example.com",
        subscribing.Choices(everything=True),
        consent_text="c",
        consent_source="footer",
        at=NOW + timedelta(days=1),
    )

    assert subscribing.delete_expired_sign_ups(at=NOW + timedelta(days=7) - timedelta(seconds=1)) == 0
    assert subscribing.delete_expired_sign_ups(at=NOW + timedelta(days=7)) == 1

    assert list(Subscription.objects.all()) == [kept]
    with time_machine.travel(NOW + timedelta(days=7, seconds=1), tick=False):
        response = client.get(path)
    assert response.status_code == 404
    assert "This link has expired" in response.content.decode()


def test_the_expiry_is_a_chore_of_every_worker():
    from presscentre.core import worker

    chores = {chore.run for chore in worker._chores.values()}
    assert subscribing.delete_expired_sign_ups in chores


def test_sign_ups_are_limited_per_address_keeping_what_was_typed(client, site_settings, monkeypatch):
    monkeypatch.setattr(subscribing, "SIGN_UPS_PER_ADDRESS", 2)
    for _ in range(2):
        assert client.post(SUBSCRIBE, {**FOOTER, "email": "reader@example.com"}).status_code == 302

    refused = client.post(SUBSCRIBE, {**FOOTER, "email": "Reader@example.com"})

    assert refused.status_code == 429
    content = refused.content.decode()
    assert "too many sign-ups" in content
    assert 'value="Reader@example.com"' in content
    # Another address from the same reader is still taken.
    assert client.post(SUBSCRIBE, {**FOOTER, "email": "other@example.com"}).status_code == 302


def test_sign_ups_are_limited_per_client_address(client, site_settings, monkeypatch):
    monkeypatch.setattr(subscribing, "SIGN_UPS_PER_CLIENT", 3)
    for number in range(3):
        response = client.post(SUBSCRIBE, {**FOOTER, "email": f"r{number}@example.com"}, REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 302

    assert client.post(SUBSCRIBE, {**FOOTER, "email": "r9@example.com"}, REMOTE_ADDR="198.51.100.7").status_code == 429
    assert client.post(SUBSCRIBE, {**FOOTER, "email": "r9@example.com"}, REMOTE_ADDR="198.51.100.8").status_code == 302
    assert Subscription.objects.count() == 4


def test_the_rate_limit_keys_hold_no_address_or_ip(site_settings):
    from django.core.cache import cache

    subscribing.check_sign_up_rate("reader@example.com", client="198.51.100.7", at=NOW)

    keys = list(cache._cache.keys())
    assert keys
    assert not [key for key in keys if "reader" in key or "198.51" in key]


def test_with_the_shared_cache_down_sign_ups_wait_and_keep_what_was_typed(client, site_settings, monkeypatch):
    from presscentre.pagecache.cache_backend import CacheUnavailable

    def unreachable(key, window):
        raise CacheUnavailable("Redis is unreachable")

    monkeypatch.setattr(subscribing, "_count", unreachable)

    response = client.post(SUBSCRIBE, {**FOOTER, "email": "reader@example.com"})

    assert response.status_code == 503
    assert "Sign-ups are paused" in response.content.decode()
    assert 'value="reader@example.com"' in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_confirmation_the_mail_server_refuses_is_tried_again_later_and_the_sign_up_kept(settings, site_settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    subscription = subscribing.sign_up(
        "reader@example.com", subscribing.Choices(everything=True), consent_text="c", consent_source="footer", at=NOW
    )
    stamp = subscription.confirmation_sent_at.isoformat()

    assert subscribing.deliver_confirmation(subscription.pk, stamp=stamp, attempt=1, at=NOW) == "retrying"

    retry = [result for result in default_task_backend.results if result.task.run_after][-1]
    assert retry.task.run_after == NOW + timedelta(seconds=10)
    assert retry.args == [subscription.pk, stamp, 2]
    assert Subscription.objects.filter(pk=subscription.pk, state=Subscription.State.PENDING).exists()
    assert subscribing.deliver_confirmation(subscription.pk, stamp=stamp, attempt=8, at=NOW) == "failed"


def test_an_older_confirmation_task_sends_nothing_once_a_newer_one_is_queued(site_settings):
    subscription = subscribing.sign_up(
        "reader@example.com", subscribing.Choices(everything=True), consent_text="c", consent_source="footer", at=NOW
    )
    mail.outbox = []

    assert (
        subscribing.deliver_confirmation(
            subscription.pk, stamp=(NOW - timedelta(hours=2)).isoformat(), attempt=1, at=NOW
        )
        == "superseded"
    )
    assert subscribing.deliver_confirmation(subscription.pk, stamp=NOW.isoformat(), attempt=1, at=NOW) == "sent"
    assert len(mail.outbox) == 1


def test_the_footer_form_in_shared_pages_carries_no_csrf_token_and_nothing_personal(
    client, site_settings, newsroom, django_capture_on_commit_callbacks
):
    release = PressReleaseFactory(parent=newsroom)
    sign_up_by_post(client, django_capture_on_commit_callbacks, {**FOOTER, "email": "secret-reader@example.com"})

    for path in ("/", release.url, "/category/"):
        response = client.get(path)
        content = response.content.decode()
        assert 'action="/subscribe/"' in content, path
        assert "Yes, email me what I follow here." in content
        assert "csrfmiddlewaretoken" not in content
        assert "secret-reader" not in content
        assert not response.cookies
