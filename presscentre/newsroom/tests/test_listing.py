from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from presscentre.newsroom.models import ArticlePage, ItemCategory, ItemPerson, PressReleasePage
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    MediaAppearanceFactory,
    PersonFactory,
    PressReleaseFactory,
    ReportFactory,
)


def entries(response) -> list:
    return BeautifulSoup(response.content, "html.parser").select("article.entry")


def entry_titles(response) -> list[str]:
    return [entry.select_one(".entry-title a").get_text() for entry in entries(response)]


def test_index_lists_items_newest_first(newsroom, reader):
    PressReleaseFactory(parent=newsroom, title="Oldest", published_at=datetime(2023, 1, 5, 9, tzinfo=UTC))
    ArticleFactory(parent=newsroom, title="Newest", published_at=datetime(2023, 3, 5, 9, tzinfo=UTC))
    ReportFactory(parent=newsroom, title="Middle", published_at=datetime(2023, 2, 5, 9, tzinfo=UTC))

    response = reader.get("/")

    assert response.status_code == 200
    assert entry_titles(response) == ["Newest", "Middle", "Oldest"]


def test_entry_shows_title_link_date_excerpt_label_and_categories(newsroom, reader):
    economy = CategoryFactory(name="Economy")
    release = PressReleaseFactory(
        parent=newsroom, title="Budget response", published_at=datetime(2013, 3, 19, 10, tzinfo=UTC)
    )
    ItemCategory.objects.create(item=release, category=economy)

    entry = entries(reader.get("/"))[0]

    link = entry.select_one(".entry-title a")
    assert link.get_text() == "Budget response"
    assert link["href"] == release.url
    assert entry.select_one("time").get_text() == "19th March 2013"
    assert entry.select_one(".entry-excerpt").get_text().endswith("...")
    assert entry.select_one(".label").get_text() == "Press Release"
    assert entry.select_one(".entry-categories a")["href"] == "/category/economy/"


def test_listing_date_is_in_the_site_time_zone(newsroom, reader):
    # 23:30 UTC on 30 June is 00:30 BST on 1 July in London.
    ArticleFactory(parent=newsroom, published_at=datetime(2013, 6, 30, 23, 30, tzinfo=UTC))

    entry = entries(reader.get("/"))[0]

    assert entry.select_one("time").get_text() == "1st July 2013"


@pytest.mark.parametrize(
    ("factory", "label"),
    [
        (PressReleaseFactory, "Press Release"),
        (ArticleFactory, "Article"),
        (ReportFactory, "Report"),
        (MediaAppearanceFactory, "Media Appearance"),
    ],
)
def test_each_type_has_its_label(newsroom, reader, factory, label):
    factory(parent=newsroom)

    assert entries(reader.get("/"))[0].select_one(".label").get_text() == label


def test_closed_comments_read_comments_off_on_title_for_screen_readers(newsroom, reader):
    PressReleaseFactory(parent=newsroom, title="Closed item")

    status = entries(reader.get("/"))[0].select_one(".entry-comments")

    assert str(status) == (
        '<span class="entry-comments">Comments Off<span class="visually-hidden"> on Closed item</span></span>'
    )
    assert status.get_text() == "Comments Off on Closed item"


def test_open_comments_invite_a_comment(newsroom, reader):
    article = ArticleFactory(parent=newsroom, title="Open item")

    status = entries(reader.get("/"))[0].select_one(".entry-comments")

    assert status.get_text() == "Leave a comment on Open item"
    assert status.a["href"] == f"{article.url}#respond"


def test_index_pages_twenty_items_at_a_time(newsroom, reader):
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(25):
        ArticleFactory(parent=newsroom, title=f"Item {n:02}", published_at=start + timedelta(days=n))

    first = reader.get("/")
    second = reader.get("/?page=2")

    assert entry_titles(first) == [f"Item {n:02}" for n in range(24, 4, -1)]
    assert entry_titles(second) == [f"Item {n:02}" for n in range(4, -1, -1)]
    assert 'rel="next"' in first.text and 'rel="prev"' in second.text


def test_type_filter_narrows_the_index(newsroom, reader):
    PressReleaseFactory(parent=newsroom, title="A release")
    ArticleFactory(parent=newsroom, title="An article")
    ReportFactory(parent=newsroom, title="A report")
    MediaAppearanceFactory(parent=newsroom, title="An appearance")

    assert entry_titles(reader.get("/?type=press-release")) == ["A release"]
    assert entry_titles(reader.get("/?type=article")) == ["An article"]
    assert entry_titles(reader.get("/?type=report")) == ["A report"]
    assert entry_titles(reader.get("/?type=media-appearance")) == ["An appearance"]


def test_type_filter_is_kept_across_pages(newsroom, reader):
    for n in range(21):
        ArticleFactory(parent=newsroom, title=f"Article {n}")
    PressReleaseFactory(parent=newsroom)

    response = reader.get("/?type=article")

    assert 'href="?type=article&amp;page=2"' in response.text
    assert len(entries(reader.get("/?type=article&page=2"))) == 1


def test_category_archive_lists_only_that_category(newsroom, reader):
    health = CategoryFactory(name="Health", description="Our work on the NHS.")
    in_health = ArticleFactory(parent=newsroom, title="Waiting lists")
    ArticleFactory(parent=newsroom, title="Elsewhere")
    ItemCategory.objects.create(item=in_health, category=health)

    response = reader.get("/category/health/")

    assert response.status_code == 200
    assert entry_titles(response) == ["Waiting lists"]
    assert "Our work on the NHS." in response.text


def test_category_archive_accepts_the_type_filter(newsroom, reader):
    health = CategoryFactory(name="Health")
    for factory, title in [(ArticleFactory, "Article"), (PressReleaseFactory, "Release")]:
        ItemCategory.objects.create(item=factory(parent=newsroom, title=title), category=health)

    assert entry_titles(reader.get("/category/health/?type=press-release")) == ["Release"]


def test_person_archive_shows_the_person_and_their_items(newsroom, reader):
    fellow = PersonFactory(
        name="Ada Lovelace", slug="ada-lovelace", role="Visiting Fellow", bio="<p>Writes on maths.</p>"
    )
    theirs = ArticleFactory(parent=newsroom, title="Engines of thought")
    ArticleFactory(parent=newsroom, title="Someone else's")
    ItemPerson.objects.create(item=theirs, person=fellow)

    response = reader.get("/author/ada-lovelace/")

    assert response.status_code == 200
    assert entry_titles(response) == ["Engines of thought"]
    assert "Visiting Fellow" in response.text
    assert "Writes on maths." in response.text


def test_draft_items_are_not_listed(newsroom, reader):
    ArticleFactory(parent=newsroom, title="Draft", live=False)
    ArticleFactory(parent=newsroom, title="Published")

    assert entry_titles(reader.get("/")) == ["Published"]


@pytest.mark.parametrize(
    ("query", "status", "first_title"),
    [
        ("?page=abc", 200, "Item 0"),
        ("?page=", 200, "Item 0"),
        ("?page=1.5", 200, "Item 0"),
        ("?page=1", 200, "Item 0"),
        ("?page=0", 404, None),
        ("?page=-3", 404, None),
        ("?page=99999", 404, None),
        ("?page=" + "9" * 5000, 200, "Item 0"),
        ("?type=podcast", 404, None),
        ("?type=", 404, None),
        ("?type=article&page=abc", 200, "Item 0"),
    ],
)
def test_bad_listing_parameters_give_first_page_or_404(newsroom, reader, query, status, first_title):
    ArticleFactory(parent=newsroom, title="Item 0")

    response = reader.get("/" + query)

    assert response.status_code == status
    if first_title:
        assert entry_titles(response)[0] == first_title


@pytest.mark.parametrize("url", ["/category/no-such-topic/", "/author/nobody/", "/category/x/?page=0"])
def test_unknown_archive_slug_is_404(newsroom, reader, url):
    CategoryFactory(name="X")

    assert reader.get(url).status_code == 404


def test_archive_page_numbers_are_checked_too(newsroom, reader):
    topic = CategoryFactory(name="Topic")
    ItemCategory.objects.create(item=ArticleFactory(parent=newsroom), category=topic)

    assert reader.get("/category/topic/?page=2").status_code == 404
    assert reader.get("/category/topic/?page=zz").status_code == 200


def _make_items(newsroom, count: int, category, person) -> None:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    types = [ArticlePage, PressReleasePage]
    for n in range(count):
        item = types[n % 2](title=f"Bulk {n}", published_at=start + timedelta(hours=n), body=[])
        newsroom.add_child(instance=item)
        ItemCategory.objects.create(item=item, category=category)
        ItemPerson.objects.create(item=item, person=person)


def _queries_for(reader, url: str) -> int:
    reader.get(url)  # warm the per-process caches (site root paths, content types, the site memory) first
    with CaptureQueriesContext(connection) as captured:
        response = reader.get(url)
    assert response.status_code == 200
    return len(captured)


# The listing, its entries' categories and their comment counts; the site, root page and settings come from the
# site memory (presscentre.core.site_memo).
QUERY_BUDGET = 4


def test_listing_query_count_does_not_grow_with_the_archive(newsroom, reader, settings):
    # Search and reference indexing are background tasks; dropping them keeps 500 page saves quick.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    category = CategoryFactory(name="Budget")
    person = PersonFactory(name="Busy Fellow", slug="busy-fellow")
    urls = ["/", "/?type=article", "/category/budget/", "/author/busy-fellow/", "/?page=2"]

    _make_items(newsroom, 40, category, person)
    small = {url: _queries_for(reader, url) for url in urls}
    _make_items(newsroom, 460, category, person)
    large = {url: _queries_for(reader, url) for url in urls}

    assert len(entries(reader.get("/"))) == 20
    assert small == large
    assert max(large.values()) <= QUERY_BUDGET, large
