"""The alerts screens in the admin, driven through the real views by a press officer."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from presscentre.alerts.models import Subscription
from presscentre.distribution import services as distribution_services
from presscentre.distribution.models import Delivery, Distribution, MediaContact
from presscentre.newsroom.tests.factories import CategoryFactory, PersonFactory, PressReleaseFactory

CONFIRMED = datetime(2030, 3, 2, 9, 0, tzinfo=UTC)
# What the press office group has on subscribers and the alert settings, from the alerts' data migration.
OFFICE_PERMISSIONS = ("view_subscription", "delete_subscription", "change_alertsettings")


@pytest.fixture
def press_officer(db, django_user_model, client):
    """A member of the Press officers group, as the migrations leave it, signed in through `client`."""
    group = Group.objects.get(name="Press officers")
    user = django_user_model.objects.create_user("press-officer", "officer@example.org", "officer-password")
    user.groups.add(group)
    client.force_login(user)
    return user


@pytest.fixture
def author(db, django_user_model, client):
    """An author: in the admin, but with no business with subscribers or sends."""
    user = django_user_model.objects.create_user("author", "author@example.org", "author-password")
    user.groups.add(Group.objects.get(name="Authors"))
    client.force_login(user)
    return user


def subscriber(email, *, state="active", frequency="immediate", everything=False, types=(), categories=(), people=()):
    contact = None
    if state != Subscription.State.PENDING:
        contact = MediaContact.objects.create(name="", email=email, consent_basis="consent")
    subscription = Subscription.objects.create(
        email=email,
        contact=contact,
        state=state,
        frequency=frequency,
        everything=everything,
        confirmed_at=CONFIRMED if contact else None,
        consent_at=CONFIRMED,
        consent_text="Email me what I choose to follow.",
        consent_source="footer",
        pending_choices={"frequency": "weekly"},
    )
    subscription.types.set([ContentType.objects.get(app_label="newsroom", model=model) for model in types])
    subscription.categories.set(categories)
    subscription.people.set(people)
    return subscription


def listed_emails(response) -> list[str]:
    return [row.email for row in response.context["object_list"]]


@pytest.mark.parametrize("name", ["Press officers", "Administrators"])
def test_the_press_office_groups_may_see_and_erase_subscribers_and_set_the_digests_but_not_add_or_edit(db, name):
    granted = Group.objects.get(name=name).permissions.filter(content_type__app_label="alerts")
    assert set(granted.values_list("codename", flat=True)) == set(OFFICE_PERMISSIONS)


def test_press_officer_lists_searches_and_filters_subscribers(newsroom, client, press_officer):
    economy, health = CategoryFactory(name="Economy"), CategoryFactory(name="Health")
    fellow = PersonFactory(name="Ada Fellow")
    subscriber("ada@ledger.example.com", categories=[economy])
    subscriber("bo@wire.example.com", frequency="daily", people=[fellow])
    subscriber("cy@ledger.example.com", state="pending", types=["reportpage"])
    subscriber("di@radio.example.com", state="paused", everything=True, frequency="weekly", categories=[health])
    index = reverse("alert_subscribers:index")

    response = client.get(index)

    assert response.status_code == 200
    html = response.content.decode()
    assert "ada@ledger.example.com" in html
    assert "Economy" in html and "Ada Fellow" in html and "Reports" in html and "Everything" in html
    assert sorted(listed_emails(client.get(index, {"q": "ledger"}))) == [
        "ada@ledger.example.com",
        "cy@ledger.example.com",
    ]
    assert listed_emails(client.get(index, {"state": "paused"})) == ["di@radio.example.com"]
    assert listed_emails(client.get(index, {"frequency": "daily"})) == ["bo@wire.example.com"]
    assert listed_emails(client.get(index, {"categories": economy.pk})) == ["ada@ledger.example.com"]
    assert listed_emails(client.get(index, {"people": fellow.pk})) == ["bo@wire.example.com"]
    report_type = ContentType.objects.get(app_label="newsroom", model="reportpage")
    assert listed_emails(client.get(index, {"types": report_type.pk})) == ["cy@ledger.example.com"]
    assert listed_emails(client.get(index, {"everything": "true"})) == ["di@radio.example.com"]


def test_subscriber_list_queries_do_not_grow_with_subscribers(
    newsroom, client, press_officer, django_assert_max_num_queries
):
    topics = [CategoryFactory() for _ in range(3)]
    people = [PersonFactory() for _ in range(2)]
    for n in range(30):
        subscriber(f"s{n}@example.com", categories=topics, people=people, types=["pressreleasepage"])

    with django_assert_max_num_queries(25):
        response = client.get(reverse("alert_subscribers:index"))

    assert len(response.context["object_list"]) == 30


def test_bad_filter_values_do_not_break_the_list(newsroom, client, press_officer):
    subscriber("ada@ledger.example.com")

    response = client.get(reverse("alert_subscribers:index"), {"categories": "x'; drop", "state": "nope", "p": "zz"})

    assert response.status_code == 200


def test_export_has_the_filtered_subscribers_and_no_more_than_needed(newsroom, client, press_officer):
    economy = CategoryFactory(name="Economy")
    subscriber("ada@ledger.example.com", categories=[economy])
    subscriber("bo@wire.example.com", frequency="daily")
    pending = subscriber("cy@ledger.example.com", state="pending")

    response = client.get(reverse("alert_subscribers:index"), {"state": "active", "export": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="alert-subscribers.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "Email",
        "State",
        "Frequency",
        "Follows",
        "Confirmed at",
        "Consent given at",
        "Consent given on",
    ]
    assert sorted(row["Email"] for row in rows) == ["ada@ledger.example.com", "bo@wire.example.com"]
    ada = next(row for row in rows if row["Email"] == "ada@ledger.example.com")
    assert ada["State"] == "Active" and ada["Follows"] == "Economy" and ada["Consent given on"] == "footer"
    assert pending.email not in text
    assert pending.key not in text and "weekly" not in text.lower().replace("weekly digest", "")


def test_inspecting_a_subscriber_shows_their_consent(newsroom, client, press_officer):
    subscription = subscriber("ada@ledger.example.com")

    response = client.get(reverse("alert_subscribers:inspect", args=[subscription.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Email me what I choose to follow." in html and "footer" in html
    assert reverse("alert_subscribers:delete", args=[subscription.pk]) in html
    assert "Erase" in html
    assert subscription.key not in html


def test_nobody_adds_a_subscriber_or_edits_one_by_hand(newsroom, client, editor):
    client.force_login(editor)  # a superuser
    subscription = subscriber("ada@ledger.example.com")

    listing = client.get(reverse("alert_subscribers:index"))
    added = client.post(reverse("alert_subscribers:add"), {"email": "new@example.com"})
    edited = client.post(reverse("alert_subscribers:edit", args=[subscription.pk]), {"email": "other@example.com"})

    assert reverse("alert_subscribers:add") not in listing.content.decode()
    assert reverse("alert_subscribers:edit", args=[subscription.pk]) not in listing.content.decode()
    assert added.status_code == 302 and added["Location"] == reverse("wagtailadmin_home")
    assert edited.status_code == 302 and edited["Location"] == reverse("wagtailadmin_home")
    assert list(Subscription.objects.values_list("email", flat=True)) == ["ada@ledger.example.com"]


def test_erasing_from_the_admin_removes_the_subscriber_and_keeps_the_counts(newsroom, client, press_officer):
    ada = subscriber("ada@ledger.example.com")
    bo = subscriber("bo@wire.example.com")
    alert = Distribution.objects.create(kind=Distribution.Kind.ALERT, item=newsroom, status=Distribution.Status.SENT)
    for subscription in (ada, bo):
        Delivery.objects.create(
            distribution=alert, contact=subscription.contact, name="", email=subscription.email, status="sent"
        )
    before = distribution_services.delivery_counts(alert)
    erase_url = reverse("alert_subscribers:delete", args=[ada.pk])

    confirm = client.get(erase_url)

    assert confirm.status_code == 200
    assert "Erase this subscriber?" in confirm.content.decode()
    assert Subscription.objects.filter(pk=ada.pk).exists()  # a GET changes nothing

    done = client.post(erase_url)

    assert done.status_code == 302
    assert list(Subscription.objects.values_list("email", flat=True)) == ["bo@wire.example.com"]
    assert not Delivery.objects.filter(email="ada@ledger.example.com").exists()
    alert.refresh_from_db()
    after = distribution_services.delivery_counts(alert)
    assert after["total"] == before["total"] == 2 and after["sent"] == 2


def test_counts_per_topic_by_frequency_in_few_queries(newsroom, client, press_officer, django_assert_max_num_queries):
    economy, health = CategoryFactory(name="Economy"), CategoryFactory(name="Health")
    fellow = PersonFactory(name="Ada Fellow")
    subscriber("a@example.com", categories=[economy, health], types=["articlepage"])
    subscriber("b@example.com", frequency="daily", categories=[economy], people=[fellow])
    subscriber("c@example.com", frequency="weekly", everything=True)
    subscriber("d@example.com", state="paused", categories=[economy])
    subscriber("e@example.com", state="pending", categories=[economy])
    for n in range(10):
        CategoryFactory(name=f"Quiet topic {n}")

    with django_assert_max_num_queries(22):  # the admin page itself takes about 13
        response = client.get(reverse("alert_topic_counts:index"))

    counts = response.context["counts"]
    rows = {row["label"]: row for row in counts["categories"]}
    assert rows["Economy"] == {"label": "Economy", "immediate": 1, "daily": 1, "weekly": 0, "total": 2}
    assert rows["Health"]["total"] == 1 and rows["Quiet topic 0"]["total"] == 0
    assert counts["people"] == [{"label": "Ada Fellow", "immediate": 0, "daily": 1, "weekly": 0, "total": 1}]
    assert {row["label"]: row["total"] for row in counts["types"]} == {
        "Press releases": 0,
        "Articles": 1,
        "Reports": 0,
        "Media appearances": 0,
    }
    assert counts["everything"] == {"immediate": 0, "daily": 0, "weekly": 1, "total": 1}
    assert "Economy" in response.content.decode()


def test_alert_sends_list_alerts_and_digests_with_their_deliveries(newsroom, client, press_officer):
    item = PressReleaseFactory(parent=newsroom, title="Budgets under strain")
    release_send = Distribution.objects.create(kind=Distribution.Kind.RELEASE, release=item)
    alert = Distribution.objects.create(
        kind=Distribution.Kind.ALERT, item=item, status=Distribution.Status.SENT, erased={"sent": 1}
    )
    digest = Distribution.objects.create(
        kind=Distribution.Kind.DAILY_DIGEST,
        period_start=datetime(2030, 3, 1, 13, 0, tzinfo=UTC),
        period_end=datetime(2030, 3, 2, 13, 0, tzinfo=UTC),
        status=Distribution.Status.SENDING,
    )
    ada = subscriber("ada@ledger.example.com")
    Delivery.objects.create(distribution=alert, contact=ada.contact, email=ada.email, status="sent")
    Delivery.objects.create(distribution=digest, contact=ada.contact, email=ada.email, status="queued")

    listing = client.get(reverse("alert_sends:index"))

    assert listing.status_code == 200
    rows = listing.context["rows"]
    assert [row["distribution"] for row in rows] == [digest, alert]
    assert release_send not in [row["distribution"] for row in rows]
    assert rows[1]["title"] == "Budgets under strain"
    assert rows[1]["counts"]["sent"] == 2 and rows[1]["counts"]["total"] == 2  # one erased since, still counted
    assert rows[0]["counts"] == {**rows[0]["counts"], "queued": 1, "total": 1}
    assert reverse("alert_sends:detail", args=[alert.pk]) in listing.content.decode()

    detail = client.get(reverse("alert_sends:detail", args=[alert.pk]))

    assert detail.status_code == 200
    assert "ada@ledger.example.com" in detail.content.decode()
    assert detail.context["counts"]["total"] == 2
    assert client.get(reverse("alert_sends:detail", args=[release_send.pk])).status_code == 404
    assert (
        client.get(reverse("alert_sends:index"), {"kind": "daily_digest"}).context["rows"][0]["distribution"] == digest
    )
    from_item = client.get(reverse("alert_sends:for_item", args=[item.pk]))
    assert from_item["Location"] == reverse("alert_sends:detail", args=[alert.pk])
    page_editor = client.get(reverse("wagtailadmin_pages:edit", args=[item.pk]))
    assert reverse("alert_sends:for_item", args=[item.pk]) in page_editor.content.decode()


def test_alert_sends_list_queries_do_not_grow_with_sends(
    newsroom, client, press_officer, django_assert_max_num_queries
):
    for n in range(20):
        item = PressReleaseFactory(parent=newsroom)
        alert = Distribution.objects.create(kind=Distribution.Kind.ALERT, item=item, status="sent")
        Delivery.objects.create(distribution=alert, email=f"s{n}@example.com", status="sent")

    with django_assert_max_num_queries(20):
        response = client.get(reverse("alert_sends:index"))

    assert len(response.context["rows"]) == 20


@pytest.mark.parametrize(
    "url",
    [
        lambda s: reverse("alert_subscribers:index"),
        lambda s: reverse("alert_subscribers:index") + "?export=csv",
        lambda s: reverse("alert_subscribers:inspect", args=[s.pk]),
        lambda s: reverse("alert_subscribers:delete", args=[s.pk]),
        lambda s: reverse("alert_topic_counts:index"),
        lambda s: reverse("alert_sends:index"),
    ],
)
def test_an_author_without_the_permissions_is_turned_away(newsroom, client, author, url):
    subscription = subscriber("ada@ledger.example.com")

    response = client.get(url(subscription))
    erase = client.post(reverse("alert_subscribers:delete", args=[subscription.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert erase.status_code == 302 and Subscription.objects.filter(pk=subscription.pk).exists()


def test_the_press_office_sees_the_alerts_menu_and_the_settings_show_for_administrators(newsroom, client, editor):
    client.force_login(editor)

    home = client.get(reverse("wagtailadmin_home")).content.decode()
    settings_url = reverse("wagtailsettings:edit", args=["alerts", "alertsettings"])
    settings_page = client.get(settings_url, follow=True)

    assert reverse("alert_subscribers:index") in home
    assert reverse("alert_topic_counts:index") in home
    assert reverse("alert_sends:index") in home
    assert settings_url in home
    assert settings_page.status_code == 200
    assert "daily digest at" in settings_page.content.decode().lower()
