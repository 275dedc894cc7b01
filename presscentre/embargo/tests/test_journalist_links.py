"""The journalist links screen: picking recipients from the contact directory, copying links, and link states."""

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from presscentre.embargo import directory
from presscentre.embargo.directory import (
    DirectoryContact,
    find_contacts,
    has_contact_directory,
    register_contact_directory,
    search_contacts,
)
from presscentre.embargo.models import AccessLink
from presscentre.embargo.services import create_access_link
from presscentre.embargo.views import link_state
from presscentre.newsroom.tests.factories import PressReleaseFactory

LIFT = datetime(2030, 3, 2, 0, 1, tzinfo=UTC)
NOW = LIFT - timedelta(days=2)

AMARA = DirectoryContact(
    name="Amara Lindqvist", email="amara@ledger.example.com", outlet="The Daily Ledger", lists=("Economics",)
)
TOMASZ = DirectoryContact(name="Tomasz Greaves", email="t.greaves@post.example.org", outlet="The Northern Post")
JONAH = DirectoryContact(name="Jonah Whitfield", email="jonah@example.com", note="opted out of mailings")


def fake_search(query: str, *, limit: int) -> list[DirectoryContact]:
    words = query.lower().split()
    return [
        contact
        for contact in (AMARA, TOMASZ, JONAH)
        if all(
            word in " ".join([contact.name, contact.email, contact.outlet, *contact.lists]).lower() for word in words
        )
    ][:limit]


@pytest.fixture(autouse=True)
def fake_directory(monkeypatch, time_machine):
    """Only the fake directory answers (the registry is a module-level dict: each test gets its own copy)."""
    time_machine.move_to(NOW, tick=False)
    monkeypatch.setattr(directory, "_directories", {})
    register_contact_directory(fake_search, name="fake")


@pytest.fixture
def release(newsroom):
    return PressReleaseFactory(parent=newsroom, title="Pay gap report", embargo_until=LIFT)


@pytest.fixture
def staff(client, editor):
    client.force_login(editor)
    return client


def links_url(item) -> str:
    return reverse("embargo_admin:links", args=[item.pk])


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def text_of(element) -> str:
    return " ".join(element.get_text(" ").split())


def row_for(response, name: str):
    for row in soup(response).select("table.pc-links tbody tr"):
        if row.select_one("td strong").get_text() == name:
            return row
    raise AssertionError(f"no row for {name}")


def state_of(response, name: str) -> str:
    return text_of(row_for(response, name).select_one(".pc-state"))


# The registry


def test_the_registry_searches_every_directory_and_keeps_one_record_per_address():
    register_contact_directory(lambda query, *, limit: [DirectoryContact("Amara L.", "AMARA@ledger.example.com")])

    found = search_contacts("amara")

    assert found == [AMARA]


def test_registering_a_directory_twice_under_one_name_replaces_it():
    register_contact_directory(lambda query, *, limit: [TOMASZ], name="fake")

    assert search_contacts("anything") == [TOMASZ]


def test_an_empty_query_asks_no_directory():
    calls = []
    register_contact_directory(lambda query, *, limit: calls.append(query) or [], name="fake")

    assert search_contacts("   ") == []
    assert calls == []


def test_contacts_are_found_again_only_by_their_exact_address():
    found = find_contacts(["AMARA@ledger.example.com", "ledger.example.com", "nobody@example.org"])

    assert found == {"amara@ledger.example.com": AMARA}


def test_without_a_directory_the_screen_offers_typing_only(monkeypatch, staff, release):
    monkeypatch.setattr(directory, "_directories", {})

    html = staff.get(links_url(release)).content.decode()

    assert not has_contact_directory()
    assert "Find media contacts" not in html
    assert "Type a recipient" in html


# Picking recipients


@pytest.mark.parametrize(
    ("query", "expected"),
    [("amara", ["Amara Lindqvist"]), ("northern post", ["Tomasz Greaves"]), ("economics", ["Amara Lindqvist"])],
    ids=["by name", "by outlet", "by list"],
)
def test_the_picker_lists_the_contacts_matching_a_search(staff, release, query, expected):
    response = staff.get(links_url(release), {"q": query})

    labels = [text_of(label) for label in soup(response).select(".pc-matches label")]
    assert [label.split(",")[0] for label in labels] == expected


def test_a_search_that_matches_nobody_says_so(staff, release):
    response = staff.get(links_url(release), {"q": "zzz"})

    assert "No media contact matches" in response.content.decode()
    assert not soup(response).select(".pc-matches")


def test_the_picker_shows_why_mail_stopped_for_a_contact(staff, release):
    response = staff.get(links_url(release), {"q": "jonah"})

    assert "opted out of mailings" in text_of(soup(response).select_one(".pc-matches"))


def test_links_are_made_for_every_ticked_contact_with_the_directory_s_own_details(staff, release, editor):
    response = staff.post(
        links_url(release),
        {"pick": "1", "contact": ["Amara@Ledger.example.com", "t.greaves@post.example.org"], "name": "Forged"},
    )

    links = AccessLink.objects.order_by("name")
    assert [(link.name, link.email, link.outlet, link.created_by) for link in links] == [
        ("Amara Lindqvist", "amara@ledger.example.com", "The Daily Ledger", editor),
        ("Tomasz Greaves", "t.greaves@post.example.org", "The Northern Post", editor),
    ]
    assert response.status_code == 302
    shown = staff.get(response["Location"])
    assert "Links created for Amara Lindqvist, The Daily Ledger and Tomasz Greaves, The Northern Post" in (
        shown.content.decode()
    )
    assert row_for(shown, "Amara Lindqvist").get("class") == ["pc-new"]


def test_a_contact_with_an_active_link_gets_no_second_one(staff, release, editor):
    create_access_link(release, name="Amara", email="Amara@Ledger.example.com", outlet="", by=editor, at=NOW)

    listed = staff.get(links_url(release), {"q": "amara"})
    response = staff.post(links_url(release), {"pick": "1", "contact": ["amara@ledger.example.com"]}, follow=True)

    checkbox = soup(listed).select_one(".pc-matches input[type=checkbox]")
    assert checkbox.has_attr("disabled")
    assert AccessLink.objects.count() == 1
    assert "already has an active link" in response.content.decode()


def test_a_contact_no_longer_in_the_directory_is_refused_with_one_message(staff, release):
    response = staff.post(links_url(release), {"pick": "1", "contact": ["gone@example.org"]})

    assert response.status_code == 200
    assert "gone@example.org is no longer in the media contacts" in response.content.decode()
    assert not AccessLink.objects.exists()


def test_ticking_nobody_asks_for_a_tick_and_creates_nothing(staff, release):
    response = staff.post(f"{links_url(release)}?q=amara", {"pick": "1"})

    assert response.status_code == 200
    assert "Tick at least one contact." in response.content.decode()
    assert soup(response).select(".pc-matches input[type=checkbox]"), "the matches stay listed"
    assert "This field is required" not in response.content.decode()
    assert not AccessLink.objects.exists()


def test_typing_the_address_of_a_current_holder_is_refused(staff, release, editor):
    create_access_link(release, name="Sam", email="sam@example.org", outlet="", by=editor, at=NOW)

    response = staff.post(links_url(release), {"name": "Sam Okoro", "email": "SAM@example.org", "outlet": ""})

    assert response.status_code == 200
    assert "already has an active link" in response.content.decode()
    assert AccessLink.objects.count() == 1


def test_nothing_is_picked_for_an_item_that_is_not_under_embargo(staff, newsroom):
    public = PressReleaseFactory(parent=newsroom, embargo_until=NOW - timedelta(hours=1))

    response = staff.post(links_url(public), {"pick": "1", "contact": ["amara@ledger.example.com"]})

    assert response.status_code == 200 and "not under embargo" in response.content.decode()
    assert not AccessLink.objects.exists()


# Each link: its address to copy, its state


def test_a_new_link_has_its_address_in_a_labelled_field_and_a_copy_button_once(staff, release, editor):
    created = staff.post(links_url(release), {"name": "Jane Doe", "email": "jane@example.org", "outlet": ""})
    link = AccessLink.objects.get()

    row = row_for(staff.get(created["Location"]), "Jane Doe")

    field = row.select_one("input[readonly]")
    assert field["aria-label"] == "Personal link for Jane Doe"
    link.token = field["value"].rsplit("/embargoed/", 1)[1].strip("/")
    assert field["value"] == link.get_full_url() and link.token.startswith(link.token_prefix)
    button = row.select_one("button[data-copy-from]")
    assert button["data-copy-from"] == field["id"]
    assert text_of(button) == "Copy the link for Jane Doe"
    again = row_for(staff.get(links_url(release)), "Jane Doe")
    assert again.select_one("input[readonly]") is None and link.token not in str(again)
    assert f"/embargoed/{link.token_prefix}" in text_of(again)


def test_a_revoked_link_offers_no_address_to_copy(staff, release, editor):
    link = create_access_link(release, name="Jane Doe", email="jane@example.org", outlet="", by=editor, at=NOW)
    link.revoke(at=NOW, by=editor)

    response = staff.get(links_url(release))

    assert state_of(response, "Jane Doe").startswith("revoked")
    assert row_for(response, "Jane Doe").select_one("input") is None


def test_a_link_reads_active_until_the_lift_and_expired_at_the_lift_after_it(staff, release, editor, time_machine):
    create_access_link(release, name="Jane Doe", email="jane@example.org", outlet="", by=editor, at=NOW)

    time_machine.move_to(LIFT - timedelta(seconds=1), tick=False)
    before = staff.get(links_url(release))
    time_machine.move_to(LIFT, tick=False)
    after = staff.get(links_url(release))

    assert state_of(before, "Jane Doe") == "active"
    assert text_of(row_for(before, "Jane Doe")).count("until the lift") == 1
    assert state_of(after, "Jane Doe") == "expired at the lift"
    assert row_for(after, "Jane Doe").select_one("input") is None


@pytest.mark.parametrize(
    ("change", "state"),
    [
        ({}, "active"),
        ({"revoked_at": NOW}, "revoked"),
        ({"expires_at": NOW - timedelta(minutes=1)}, "expired"),
        ({"expires_at": NOW + timedelta(minutes=1)}, "active"),
    ],
    ids=["fresh", "revoked", "expired early", "expires later"],
)
def test_link_states_before_the_lift(release, editor, change, state):
    link = create_access_link(release, name="Jane", email="jane@example.org", outlet="", by=editor, at=NOW)
    for name, value in change.items():
        setattr(link, name, value)

    assert link_state(link, release, at=NOW) == state


def test_a_revoked_link_stays_revoked_after_the_lift(release, editor):
    link = create_access_link(release, name="Jane", email="jane@example.org", outlet="", by=editor, at=NOW)
    link.revoke(at=NOW, by=editor)

    assert link_state(link, release, at=LIFT) == "revoked"


def test_the_screen_shows_how_often_and_when_a_link_was_last_opened(client, staff, release, editor):
    link = create_access_link(release, name="Jane Doe", email="jane@example.org", outlet="", by=editor, at=NOW)
    client.logout()
    client.get(link.get_absolute_url())
    client.get(link.get_absolute_url())
    client.force_login(editor)

    cells = row_for(client.get(links_url(release)), "Jane Doe").select("td")

    assert text_of(cells[3]).startswith("2 times last ")


def test_the_screen_loads_the_copy_script_and_keeps_long_tables_scrollable(staff, release, editor):
    create_access_link(release, name="Jane Doe", email="jane@example.org", outlet="", by=editor, at=NOW)

    page = soup(staff.get(links_url(release)))

    assert page.select_one('script[src$="js/copy.js"]') is not None
    container = page.select_one(".pc-table-scroll")
    assert container.select_one("table.pc-links") is not None
    assert container["tabindex"] == "0" and container["role"] == "region"
