"""The manage page from an alert's signed link: change what is followed and how often, pause and resume,
unsubscribe (also in one click), and forget me."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from presscentre.alerts import subscribing, tokens
from presscentre.alerts.models import Subscription
from presscentre.distribution.models import Delivery, Distribution, MediaContact
from presscentre.distribution.services import delivery_counts
from presscentre.newsroom.tests.factories import CategoryFactory, PersonFactory, PressReleaseFactory

NOW = datetime(2030, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def subscription(db, newsroom):
    subscription = subscribing.sign_up(
        "reader@example.com", subscribing.Choices(everything=True), consent_text="c", consent_source="footer", at=NOW
    )
    subscribing.confirm(subscription, at=NOW)
    subscription.refresh_from_db()
    return subscription


def manage_path(subscription) -> str:
    return reverse("alerts:manage", args=[tokens.manage_token(subscription)])


def test_the_manage_page_shows_what_is_followed_and_saves_changes(client, subscription, newsroom):
    economy, health = CategoryFactory(name="Economy"), CategoryFactory(name="Health")
    fellow = PersonFactory(name="Ada Fellow")
    PressReleaseFactory(parent=newsroom, categories=[economy, health], people=[fellow])
    path = manage_path(subscription)

    page = client.get(path)

    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert page["Referrer-Policy"] == "same-origin"
    content = page.content.decode()
    assert "reader@example.com" in content
    assert 'id="id_everything" checked' in content

    saved = client.post(
        path,
        {
            "action": "save",
            "types": ["reportpage"],
            "categories": [health.pk],
            "people": [fellow.pk],
            "frequency": "daily",
        },
    )

    assert saved.status_code == 302
    subscription.refresh_from_db()
    assert not subscription.everything
    assert list(subscription.types.values_list("model", flat=True)) == ["reportpage"]
    assert list(subscription.categories.all()) == [health]
    assert list(subscription.people.all()) == [fellow]
    assert subscription.frequency == "daily"
    after = client.get(saved["Location"]).content.decode()
    assert "Your changes are saved." in after
    assert f'value="{health.pk}" id="id_categories_1" checked' in after


def test_saving_nothing_chosen_is_an_error_and_changes_nothing(client, subscription):
    response = client.post(manage_path(subscription), {"action": "save", "frequency": "weekly"})

    assert response.status_code == 200
    assert "Choose what to follow" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.everything and subscription.frequency == "immediate"


def test_alerts_pause_and_resume(client, subscription):
    path = manage_path(subscription)

    assert client.post(path, {"action": "pause"}).status_code == 302
    subscription.refresh_from_db()
    assert subscription.state == Subscription.State.PAUSED and subscription.paused_at is not None
    assert "Resume alerts" in client.get(path).content.decode()
    assert not Subscription.objects.matching(content_type_id=1, category_ids=[], person_ids=[]).exists()

    assert client.post(path, {"action": "resume"}).status_code == 302
    subscription.refresh_from_db()
    assert subscription.state == Subscription.State.ACTIVE and subscription.paused_at is None


def test_unsubscribing_asks_first_then_deletes_the_subscription_and_opts_the_contact_out(client, subscription):
    path = reverse("alerts:unsubscribe", args=[tokens.manage_token(subscription)])
    contact = subscription.contact

    page = client.get(path)  # a link scanner's fetch

    assert page.status_code == 200
    assert "Unsubscribe" in page.content.decode()
    assert Subscription.objects.filter(pk=subscription.pk).exists()

    done = client.post(path)

    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    contact.refresh_from_db()
    assert contact.opted_out and contact.opted_out_at is not None
    assert not MediaContact.objects.reachable().filter(pk=contact.pk).exists()
    assert client.post(path).status_code == 404  # nothing left to unsubscribe


def test_one_click_unsubscribe_needs_no_page_and_no_csrf_token(subscription):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    path = reverse("alerts:unsubscribe", args=[tokens.manage_token(subscription)])

    response = client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    assert response.content == b""
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert MediaContact.objects.get(email="reader@example.com").opted_out


def test_signing_up_again_after_unsubscribing_and_confirming_lifts_the_opt_out(subscription):
    subscribing.unsubscribe(subscription, at=NOW)
    again = subscribing.sign_up(
        "reader@example.com", subscribing.Choices(everything=True), consent_text="c", consent_source="footer", at=NOW
    )

    assert subscribing.confirm(again, at=NOW) == "confirmed"

    assert MediaContact.objects.reachable().filter(email="reader@example.com").exists()


def test_forget_me_erases_subscriber_contact_and_deliveries_and_keeps_the_counts(
    client, subscription, newsroom, django_assert_max_num_queries
):
    other = MediaContact.objects.create(name="Other", email="other@example.com")
    release = PressReleaseFactory(parent=newsroom)
    first = Distribution.objects.create(release=release, status=Distribution.Status.SENT, erased={"sent": 3})
    second = Distribution.objects.create(release=release, status=Distribution.Status.SENT)
    contact = subscription.contact
    for distribution, status in ((first, "sent"), (second, "failed")):
        Delivery.objects.create(distribution=distribution, contact=contact, name="", email=contact.email, status=status)
    # Sent before the address was a contact (or after an editor unlinked it): found by its address.
    Delivery.objects.create(distribution=first, contact=None, name="", email="reader@example.com", status="sent")
    kept = Delivery.objects.create(distribution=first, contact=other, name="Other", email=other.email, status="sent")
    path = reverse("alerts:forget", args=[tokens.manage_token(subscription)])

    assert client.get(path).status_code == 200
    assert Subscription.objects.filter(pk=subscription.pk).exists()
    with django_assert_max_num_queries(20):
        response = client.post(path)

    assert response.status_code == 200
    assert "Your address is erased" in response.content.decode()
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert not MediaContact.objects.filter(email="reader@example.com").exists()
    assert list(Delivery.objects.all()) == [kept]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.erased == {"sent": 5}
    assert second.erased == {"failed": 1}
    assert delivery_counts(first)["sent"] == 6
    assert delivery_counts(second)["failed"] == 1
    assert client.get(manage_path(subscription)).status_code == 404


def test_erase_for_the_admin_returns_the_counts_and_is_safe_twice(subscription):
    assert subscribing.erase(subscription, at=NOW) == {}
    assert subscribing.erase(subscription, at=NOW) == {}
    assert not MediaContact.objects.exists()


@pytest.mark.parametrize("name", ["manage", "unsubscribe", "forget"])
def test_a_tampered_link_gets_a_friendly_page(client, subscription, name):
    token = tokens.manage_token(subscription)
    for bad in (token[:-3] + "abc", "x" * 3000, tokens.confirm_token(subscription)):
        for method in (client.get, client.post):
            response = method(reverse(f"alerts:{name}", args=[bad]))
            assert response.status_code == 404
            assert "This link does not work" in response.content.decode()
    assert Subscription.objects.filter(pk=subscription.pk).exists()
