"""The experts directory at /experts/: who is listed, the topic and language filters, and embargoed topics."""

from datetime import UTC, datetime

import pytest

from presscentre.newsroom.tests.factories import CategoryFactory, PersonFactory, PressReleaseFactory

EXPERTS = "/experts/"


@pytest.fixture
def people(newsroom):
    economy = CategoryFactory(name="Economy", slug="economy")
    housing = CategoryFactory(name="Housing", slug="housing")
    PressReleaseFactory(parent=newsroom, categories=[economy, housing])
    okafor = PersonFactory(
        name="Miriam Okafor",
        slug="miriam-okafor",
        available_for_comment=True,
        languages="English, Welsh",
        availability="Weekdays; not 10–14 Aug",
        bio="<p>Writes on poverty and work.</p>",
    )
    okafor.topics.set([economy])
    okafor.save()
    maddox = PersonFactory(name="Owen Maddox", slug="owen-maddox", available_for_comment=True, languages="French")
    maddox.topics.set([housing])
    maddox.save()
    PersonFactory(name="Quiet Person", slug="quiet-person", available_for_comment=False, languages="English")
    return {"okafor": okafor, "maddox": maddox, "economy": economy, "housing": housing}


def names(response) -> list[str]:
    import re

    return re.findall(r'<h2 id="expert-[^"]+">([^<]+)</h2>', response.content.decode())


def test_the_directory_lists_only_people_available_for_comment_with_their_details(client, people):
    response = client.get(EXPERTS)

    assert response.status_code == 200
    assert names(response) == ["Miriam Okafor", "Owen Maddox"]
    page = response.content.decode()
    assert "Quiet Person" not in page
    assert "English, Welsh" in page and "Weekdays; not 10–14 Aug" in page and "Writes on poverty" in page
    assert 'id="miriam-okafor"' in page
    assert 'href="/experts/request/miriam-okafor/"' in page


def test_the_topic_filter_narrows_the_list(client, people):
    response = client.get(EXPERTS, {"topic": "housing"})

    assert names(response) == ["Owen Maddox"]
    assert '<option value="housing" selected>' in response.content.decode()


def test_the_language_filter_ignores_case_and_spaces(client, people):
    assert names(client.get(EXPERTS, {"language": " welsh "})) == ["Miriam Okafor"]
    assert names(client.get(EXPERTS, {"language": "French", "topic": "economy"})) == []


@pytest.mark.parametrize(
    "params",
    [
        {"topic": "no-such-topic"},
        {"topic": "x" * 5000},
        {"topic": "\x00"},
        {"language": "Klingon"},
        {"language": "<script>"},
        {"topic": ["economy", "housing"]},
    ],
)
def test_a_filter_the_directory_does_not_know_lists_everyone_with_a_message(client, people, params):
    response = client.get(EXPERTS, params)

    assert response.status_code == 200
    page = response.content.decode()
    if params.get("topic") == ["economy", "housing"]:  # the last value counts, as Django reads it
        assert names(response) == ["Owen Maddox"]
    else:
        assert names(response) == ["Miriam Okafor", "Owen Maddox"]
        if params != {"topic": "\x00"}:  # a NUL is dropped before the view sees it: no filter, no message
            assert "so every expert is listed" in page


def test_an_embargoed_items_topic_is_never_named(client, people, newsroom):
    secret = CategoryFactory(name="Secret Merger", slug="secret-merger")
    PressReleaseFactory(parent=newsroom, categories=[secret], embargo_until=datetime(2999, 1, 1, tzinfo=UTC))
    okafor = people["okafor"]
    okafor.topics.add(secret)
    okafor.save()

    listed = client.get(EXPERTS)
    asked = client.get(EXPERTS, {"topic": "secret-merger"})
    unknown = client.get(EXPERTS, {"topic": "no-such-topic"})

    assert "Secret Merger" not in listed.content.decode()
    assert "secret-merger" not in listed.content.decode()
    assert "Secret Merger" not in asked.content.decode()
    assert names(asked) == names(unknown) == ["Miriam Okafor", "Owen Maddox"]


def test_a_standing_topic_no_item_uses_yet_is_shown(client, people):
    standing = CategoryFactory(name="Transport", slug="transport")
    maddox = people["maddox"]
    maddox.topics.add(standing)
    maddox.save()

    assert names(client.get(EXPERTS, {"topic": "transport"})) == ["Owen Maddox"]


def test_the_directory_reads_a_fixed_number_of_queries(client, people, django_assert_max_num_queries):
    client.get(EXPERTS)  # the site memory fills
    for _ in range(10):
        person = PersonFactory(available_for_comment=True, languages="English")
        person.topics.set([people["economy"]])
        person.save()
    with django_assert_max_num_queries(12):
        response = client.get(EXPERTS)
    assert len(names(response)) == 12


def test_the_contacts_page_and_an_experts_own_page_link_to_the_directory(client, people, newsroom):
    PressReleaseFactory(parent=newsroom, people=[people["okafor"]])

    assert 'href="/experts/"' in client.get("/press-contacts/").content.decode()
    assert 'href="/experts/#miriam-okafor"' in client.get("/author/miriam-okafor/").content.decode()
