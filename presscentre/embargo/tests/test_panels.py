"""The dashboard's embargo panels: lifts in the next 7 days with a countdown, and journalists' link activity."""

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group

from presscentre.embargo.models import AccessLink, AccessLogEntry
from presscentre.embargo.panels import LinkActivityPanel, UpcomingLiftsPanel, countdown
from presscentre.newsroom.models import PressReleasePage
from presscentre.newsroom.tests.factories import PressReleaseFactory

AT = datetime(2030, 3, 2, 9, 0, tzinfo=UTC)


def member(django_user_model, group: str, username: str):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "password")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def press_officer(db, django_user_model):
    return member(django_user_model, "Press officers", "press-officer")


@pytest.fixture
def moderator(db, django_user_model):
    return member(django_user_model, "Moderators", "moderator")


def rows(html: str) -> list[list[str]]:
    soup = BeautifulSoup(html, "html.parser")
    return [
        [" ".join(cell.get_text(" ", strip=True).split()) for cell in row.select("td")]
        for row in soup.select("tbody tr")
    ]


# The countdown's words


@pytest.mark.parametrize(
    ("ahead", "words"),
    [
        (timedelta(days=2, hours=3, minutes=40), "in 2 days 3 hours"),
        (timedelta(days=1, minutes=5), "in 1 day"),
        (timedelta(hours=1, minutes=1), "in 1 hour 1 minute"),
        (timedelta(hours=5), "in 5 hours"),
        (timedelta(minutes=14, seconds=59), "in 14 minutes"),
        (timedelta(seconds=59), "in less than a minute"),
        (timedelta(0), ""),
        (timedelta(seconds=-1), ""),
    ],
)
def test_countdown_reads_the_two_largest_units(ahead, words):
    assert countdown(AT + ahead, at=AT) == words


# Embargoes lifting in the next 7 days


def test_lifts_panel_lists_the_weeks_embargoes_soonest_first_in_their_own_zone(newsroom, press_officer):
    later = PressReleaseFactory(parent=newsroom, title="Rents report", embargo_until=AT + timedelta(days=2, hours=3))
    soon = PressReleaseFactory(
        parent=newsroom,
        title="Pay gap report",
        embargo_until=AT + timedelta(minutes=14),
        embargo_time_zone="Europe/Paris",
    )
    PressReleaseFactory(parent=newsroom, title="Next month", embargo_until=AT + timedelta(days=7, seconds=1))
    lifted = PressReleaseFactory(parent=newsroom, title="Already out", embargo_until=AT - timedelta(hours=1))
    PressReleasePage.objects.filter(pk=lifted.pk).update(embargo_lifted_at=AT - timedelta(hours=1))
    unpublished = PressReleaseFactory(parent=newsroom, title="Still a draft", embargo_until=AT + timedelta(days=1))
    unpublished.unpublish()

    html = UpcomingLiftsPanel(press_officer, at=AT).render_html()

    assert rows(html) == [
        ["Pay gap report", "10:14 CET, Saturday 2 March 2030", "in 14 minutes"],
        ["Rents report", "12:00 GMT, Monday 4 March 2030", "in 2 days 3 hours"],
    ]
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(".title-wrapper a")["href"] == f"/admin/pages/{soon.pk}/edit/"
    # The inline script counts down to the instant itself, whatever zone the browser is in.
    assert [datetime.fromisoformat(time["datetime"]) for time in soup.select("time")] == [
        soon.embargo_until,
        later.embargo_until,
    ]


def test_lifts_panel_includes_the_last_second_of_the_window_and_flags_overdue_lifts(newsroom, press_officer):
    PressReleaseFactory(parent=newsroom, title="Edge of the week", embargo_until=AT + timedelta(days=7))
    PressReleaseFactory(parent=newsroom, title="Missed lift", embargo_until=AT - timedelta(minutes=5))

    table = rows(UpcomingLiftsPanel(press_officer, at=AT).render_html())

    assert [row[0] for row in table] == ["Missed lift", "Edge of the week"]
    assert table[0][2] == "Overdue: not lifted yet"
    assert table[1][2] == "in 7 days"


def test_lifts_panel_says_so_when_nothing_lifts_this_week(newsroom, press_officer):
    PressReleaseFactory(parent=newsroom, title="No embargo")

    html = UpcomingLiftsPanel(press_officer, at=AT).render_html()

    assert "No embargoes lift in the next 7 days." in html
    assert "<table" not in html


def test_lifts_panel_runs_the_same_few_queries_for_many_items(newsroom, press_officer, django_assert_max_num_queries):
    for n in range(25):
        PressReleaseFactory(parent=newsroom, title=f"Release {n}", embargo_until=AT + timedelta(hours=n + 1))

    with django_assert_max_num_queries(3):
        html = UpcomingLiftsPanel(press_officer, at=AT).render_html()

    assert len(rows(html)) == UpcomingLiftsPanel.limit
    assert "the soonest 20 are listed" in html


def test_an_author_sees_only_embargoes_on_their_own_items(newsroom, django_user_model):
    author = member(django_user_model, "Authors", "fellow")
    PressReleaseFactory(parent=newsroom, title="Their release", embargo_until=AT + timedelta(days=1), owner=author)
    PressReleaseFactory(parent=newsroom, title="The office's release", embargo_until=AT + timedelta(days=1))

    html = UpcomingLiftsPanel(author, at=AT).render_html()

    assert "Their release" in html
    assert "The office's release" not in html


# Journalist link activity


@pytest.fixture
def link(newsroom):
    release = PressReleaseFactory(parent=newsroom, title="Pay gap report", embargo_until=AT + timedelta(days=1))
    return AccessLink.objects.create(
        item=release, name="Jane Doe", email="jane@ledger.example", outlet="The Daily Ledger", created_at=AT
    )


def test_activity_panel_shows_who_opened_what_in_the_last_24_hours(link, press_officer):
    AccessLogEntry.objects.create(link=link, at=AT - timedelta(hours=2), kind=AccessLogEntry.Kind.VIEW)
    AccessLogEntry.objects.create(link=link, at=AT - timedelta(hours=24), kind=AccessLogEntry.Kind.VIEW)
    AccessLogEntry.objects.create(link=link, at=AT - timedelta(minutes=1), kind=AccessLogEntry.Kind.DOWNLOAD)

    html = LinkActivityPanel(press_officer, at=AT).render_html()

    assert rows(html) == [
        [
            "Jane Doe, The Daily Ledger jane@ledger.example",
            "Pay gap report",
            "Downloaded a document since deleted",
            "03:59 EST, Saturday 2 March 2030",
        ],
        [
            "Jane Doe, The Daily Ledger jane@ledger.example",
            "Pay gap report",
            "Opened the item",
            "02:00 EST, Saturday 2 March 2030",
        ],
    ]
    assert f'href="/admin/embargo/items/{link.item_id}/links/"' in html


def test_activity_panel_says_so_when_nobody_opened_a_link(link, press_officer):
    AccessLogEntry.objects.create(link=link, at=AT + timedelta(seconds=1), kind=AccessLogEntry.Kind.VIEW)

    html = LinkActivityPanel(press_officer, at=AT).render_html()

    assert "No journalist opened a personal link in the last 24 hours." in html


def test_activity_panel_runs_the_same_few_queries_for_many_views(link, press_officer, django_assert_max_num_queries):
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(link=link, at=AT - timedelta(minutes=n), kind=AccessLogEntry.Kind.VIEW) for n in range(40)
    )

    with django_assert_max_num_queries(3):
        html = LinkActivityPanel(press_officer, at=AT).render_html()

    assert len(rows(html)) == LinkActivityPanel.limit


# On the dashboard


def test_press_officers_see_both_panels_on_the_dashboard(client, newsroom, press_officer):
    client.force_login(press_officer)

    html = client.get("/admin/").content.decode()

    assert "Embargoes lifting in the next 7 days" in html
    assert "Journalist link activity in the last 24 hours" in html


def test_comment_moderators_who_edit_no_items_see_neither_panel(client, newsroom, moderator, link):
    AccessLogEntry.objects.create(link=link, at=AT, kind=AccessLogEntry.Kind.VIEW)
    client.force_login(moderator)

    html = client.get("/admin/").content.decode()

    assert "Embargoes lifting" not in html
    assert "Journalist link activity" not in html
    assert "jane@ledger.example" not in html
