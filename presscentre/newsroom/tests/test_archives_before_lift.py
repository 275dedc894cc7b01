"""A category or person that only an embargoed (or unpublished) item uses is unknown until that item is public:
its archive, paging, feeds and search filters answer 404 as a mistyped slug does, and no list of names (indexes,
press contacts, sitemaps, search, API, feeds) names it. From the lift, all of it appears."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup

from presscentre.newsroom.models import Category, Person, PressContact
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    PersonFactory,
    PressContactFactory,
    PressReleaseFactory,
)

LIFT = datetime(2031, 5, 23, 23, 1, tzinfo=UTC)
BEFORE = LIFT - timedelta(seconds=1)
SECRET_NAMES = ["Project Falcon", "Falcon plans in detail", "Zed Quill", "Falcon programme lead"]

ARCHIVE_URLS = [
    "/category/project-falcon/",
    "/category/project-falcon/?page=1",
    "/category/project-falcon/?type=press-release",
    "/category/project-falcon/feed/",
    "/category/project-falcon/feed/atom/",
    "/category/project-falcon/feed/json/",
    "/author/zed-quill/",
    "/author/zed-quill/?page=1",
    "/author/zed-quill/feed/",
    "/author/zed-quill/feed/atom/",
    "/author/zed-quill/feed/json/",
    "/search/?q=budget&category=project-falcon",
    "/search/?q=budget&person=zed-quill",
    "/search/?category=project-falcon",
]
# Where names are listed: the indexes, the press office's page, discovery files, search, the API and the feeds.
NAME_LISTS = [
    "/",
    "/category/",
    "/author/",
    "/press-contacts/",
    "/sitemap.xml",
    "/sitemap-pages.xml",
    "/search/?q=budget",
    "/search/?q=falcon",
    "/api/v2/pages/?type=newsroom.PressReleasePage&fields=*",
    "/feed/",
    "/feed/atom/",
    "/feed/json/",
]


def unknown(url: str) -> str:
    """The same address with a slug that was never used."""
    return url.replace("project-falcon", "no-such-topic").replace("zed-quill", "no-such-person")


def flattened(response) -> bytes:
    return re.sub(rb"\s+", b"", response.content)


@pytest.fixture
def falcon(newsroom):
    """An embargoed release, the only item in its category and by its person; a public neighbour beside it."""
    public_topic = CategoryFactory(name="Economy", slug="economy")
    public_person = PersonFactory(name="Ada Fellow", slug="ada-fellow")
    ArticleFactory(parent=newsroom, title="Budget reaction", categories=[public_topic], people=[public_person])
    topic = CategoryFactory(name="Project Falcon", slug="project-falcon", description="Falcon plans in detail")
    person = PersonFactory(name="Zed Quill", slug="zed-quill", role="Falcon programme lead")
    PressContactFactory(name="Olu Press", topic=topic)
    return PressReleaseFactory(
        parent=newsroom,
        title="Budget falcon release",
        embargo_until=LIFT,
        published_at=LIFT,
        categories=[topic],
        people=[person],
    )


def get_all(client, urls, *, at):
    with time_machine.travel(at, tick=False):
        return {url: client.get(url) for url in urls}


def test_archives_feeds_and_filters_of_an_embargoed_items_topic_and_person_are_404_like_unknown_ones(falcon, client):
    hidden = get_all(client, ARCHIVE_URLS, at=BEFORE)
    missing = get_all(client, [unknown(url) for url in ARCHIVE_URLS], at=BEFORE)

    assert {url: response.status_code for url, response in hidden.items()} == dict.fromkeys(ARCHIVE_URLS, 404)
    for url, response in hidden.items():
        assert flattened(response) == flattened(missing[unknown(url)]), url


def test_archives_feeds_and_filters_of_the_topic_and_person_open_at_the_lift(falcon, client):
    shown = get_all(client, ARCHIVE_URLS, at=LIFT)

    assert {url: response.status_code for url, response in shown.items()} == dict.fromkeys(ARCHIVE_URLS, 200)
    assert "Falcon plans in detail" in shown["/category/project-falcon/"].text
    assert "Falcon programme lead" in shown["/author/zed-quill/"].text


def test_no_list_of_names_names_the_topic_or_person_before_the_lift(falcon, client):
    before = get_all(client, NAME_LISTS, at=BEFORE)
    after = get_all(client, NAME_LISTS, at=LIFT)

    assert all(response.status_code == 200 for response in [*before.values(), *after.values()])
    leaks = [(url, name) for url, response in before.items() for name in SECRET_NAMES if name in response.text]
    assert leaks == []
    for url in [
        "/category/",
        "/author/",
        "/press-contacts/",
        "/api/v2/pages/?type=newsroom.PressReleasePage&fields=*",
        "/feed/json/",
    ]:
        assert any(name in after[url].text for name in SECRET_NAMES), url
    assert "/category/project-falcon/" in after["/sitemap-pages.xml"].text


def test_the_press_contact_of_a_secret_topic_is_listed_under_other_enquiries_until_the_lift(falcon, client):
    def groups(response) -> list[str]:
        return [heading.get_text() for heading in BeautifulSoup(response.content, "html.parser").select("main h3")]

    before = get_all(client, ["/press-contacts/"], at=BEFORE)["/press-contacts/"]
    after = get_all(client, ["/press-contacts/"], at=LIFT)["/press-contacts/"]

    assert groups(before) == ["Other enquiries"]
    assert "Olu Press" in before.text
    assert groups(after) == ["Project Falcon"]


def test_a_standing_topic_no_item_uses_keeps_its_press_contact_heading(newsroom, client):
    PressContactFactory(name="Noor Ali", topic=CategoryFactory(name="Energy"))

    response = client.get("/press-contacts/")

    assert [h3.get_text() for h3 in BeautifulSoup(response.content, "html.parser").select("main h3")] == ["Energy"]


def test_a_topic_and_person_of_an_unpublished_item_only_stay_unknown(newsroom, client):
    topic = CategoryFactory(name="Draft topic", slug="draft-topic")
    person = PersonFactory(name="Draft author", slug="draft-author")
    PressReleaseFactory(parent=newsroom, live=False, categories=[topic], people=[person])

    urls = [
        "/category/draft-topic/",
        "/author/draft-author/",
        "/category/draft-topic/feed/",
        "/search/?person=draft-author",
    ]
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 404)
    assert "Draft topic" not in client.get("/category/").text


def test_a_topic_or_person_with_no_item_at_all_has_no_archive(newsroom, client):
    CategoryFactory(name="Empty", slug="empty")
    PersonFactory(name="Nobody Yet", slug="nobody-yet")

    assert client.get("/category/empty/").status_code == 404
    assert client.get("/author/nobody-yet/").status_code == 404


def test_linked_to_keeps_only_names_a_given_item_uses(falcon, newsroom):
    public = newsroom.items(BEFORE)

    assert list(Category.objects.linked_to(public).values_list("name", flat=True)) == ["Economy"]
    assert list(Person.objects.linked_to(public).values_list("name", flat=True)) == ["Ada Fellow"]
    assert set(Category.objects.linked_to(newsroom.items(LIFT)).values_list("name", flat=True)) == {
        "Economy",
        "Project Falcon",
    }
    assert PressContact.objects.get(name="Olu Press").topic.pk in newsroom.secret_topics(BEFORE)
    assert newsroom.secret_topics(LIFT) == set()


def test_an_archive_checks_its_topic_in_one_query_with_the_listing(falcon, client, django_assert_max_num_queries):
    with time_machine.travel(LIFT, tick=False):
        for url in ["/category/economy/", "/author/ada-fellow/"]:
            client.get(url)  # warm the site memory and the listing's cached total
            with django_assert_max_num_queries(4):
                assert client.get(url).status_code == 200
