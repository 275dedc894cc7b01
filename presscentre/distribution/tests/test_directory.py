"""The media contacts as the journalist links screen's directory."""

import pytest

from presscentre.distribution.directory import search_media_contacts
from presscentre.distribution.tests.factories import MediaContactFactory, MediaListFactory
from presscentre.embargo.directory import DirectoryContact, find_contacts, search_contacts


@pytest.fixture
def contacts(db):
    economics = MediaListFactory(name="Economics correspondents")
    return {
        "amara": MediaContactFactory(
            name="Amara Lindqvist",
            email="amara.lindqvist@ledger.example.com",
            outlet="The Daily Ledger",
            lists=[economics],
        ),
        "tomasz": MediaContactFactory(
            name="Tomasz Greaves", email="t.greaves@northernpost.example.org", outlet="The Northern Post"
        ),
        "jonah": MediaContactFactory(
            name="Jonah Whitfield", email="jonah@example.com", outlet="", opted_out=True, lists=[economics]
        ),
    }


def names(found) -> list[str]:
    return [contact.name for contact in found]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("amara", ["Amara Lindqvist"]),
        ("LINDQVIST", ["Amara Lindqvist"]),
        ("northern post", ["Tomasz Greaves"]),
        ("economics", ["Amara Lindqvist", "Jonah Whitfield"]),
        ("economics ledger", ["Amara Lindqvist"]),
        ("t.greaves@", ["Tomasz Greaves"]),
        ("nobody", []),
    ],
    ids=["name", "name in capitals", "outlet", "list", "list and outlet", "email", "no match"],
)
def test_contacts_are_found_by_name_outlet_list_or_email(contacts, query, expected):
    assert names(search_media_contacts(query, limit=50)) == expected


def test_a_contact_comes_as_a_plain_record_with_its_lists_and_why_mail_stopped(contacts):
    [jonah] = search_media_contacts("jonah", limit=50)

    assert jonah == DirectoryContact(
        name="Jonah Whitfield",
        email="jonah@example.com",
        outlet="",
        lists=("Economics correspondents",),
        note="opted out of mailings",
    )


def test_the_search_stops_at_its_limit(db):
    for number in range(5):
        MediaContactFactory(name=f"Reporter {number}")

    assert names(search_media_contacts("reporter", limit=3)) == ["Reporter 0", "Reporter 1", "Reporter 2"]


def test_the_media_contacts_are_registered_when_the_site_starts(contacts):
    assert names(search_contacts("ledger")) == ["Amara Lindqvist"]
    assert find_contacts(["T.Greaves@northernpost.example.org"])["t.greaves@northernpost.example.org"].outlet == (
        "The Northern Post"
    )


def test_the_search_takes_a_bounded_number_of_queries(contacts, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        search_media_contacts("economics", limit=50)
