"""A broad search on PostgreSQL: past a number of matches they are listed newest first, a page at a time, rather
than all ranked. The limits are lowered here so that a handful of items crosses them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from presscentre.newsroom.models import NewsItemPage, PressReleasePage
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    PressReleaseFactory,
    paragraph_body,
)
from presscentre.syndication.search import (
    MAX_RESULTS,
    SearchFilters,
    SearchResults,
    read_filters,
    results_page,
    search_items,
)

NOW = datetime(2031, 5, 4, 12, 0, tzinfo=UTC)
QUERY = "tamarind saffron"
RANKED, COLLECTED = 3, 6


@pytest.fixture
def limits(settings):
    settings.PRESSCENTRE_SEARCH_RANKED_MATCHES = RANKED
    settings.PRESSCENTRE_SEARCH_COLLECTED_MATCHES = COLLECTED


def matches(newsroom, count: int, label: str = "", **fields) -> list:
    """`count` public items holding both words, a day apart, newest first; every other one has one word in
    its title and the other in its body only."""
    items = []
    for n in range(count):
        title, text = ("Tamarind notes", "Saffron prices rose.") if n % 2 else ("Tamarind and saffron", "Nothing.")
        items.append(
            ArticleFactory(
                parent=newsroom,
                title=f"{title} {label}{n}",
                body=paragraph_body(text),
                published_at=NOW - timedelta(days=n + 1),
                **fields,
            )
        )
    return items


@pytest.fixture
def decoys(newsroom):
    """Items a search for both words must never list at NOW: one word only, embargoed, unpublished."""
    one_word = ArticleFactory(parent=newsroom, title="Tamarind alone", published_at=NOW - timedelta(hours=1))
    embargoed = ArticleFactory(
        parent=newsroom,
        title="Tamarind saffron embargoed",
        published_at=NOW + timedelta(hours=2),
        embargo_until=NOW + timedelta(hours=2),
    )
    draft = ArticleFactory(parent=newsroom, title="Tamarind saffron draft", published_at=NOW - timedelta(hours=1))
    draft.unpublish()
    return {"one_word": one_word, "embargoed": embargoed, "draft": draft}


def pks(items) -> list[int]:
    return [item.pk for item in items]


def listed(results: SearchResults, per_page: int = 2) -> list[int]:
    """Every id of a newest-first listing, read a page at a time as the search page reads it."""
    found, offset = [], 0
    while page := results.newest_ids(offset, per_page):
        found += page
        offset += per_page
    return found


# Which order


@pytest.mark.postgres
@pytest.mark.parametrize("count", [COLLECTED - 1, COLLECTED + 3], ids=["collected-by-id", "walked-by-date"])
def test_a_broad_query_lists_every_public_match_newest_first(newsroom, limits, decoys, count):
    items = matches(newsroom, count)

    results = search_items(QUERY, at=NOW, filters=SearchFilters())

    assert results.by_date
    assert listed(results) == pks(items)
    assert results.newest_ids(0, 100) == pks(items)


@pytest.mark.postgres
@pytest.mark.parametrize("count", [COLLECTED - 1, COLLECTED + 3], ids=["collected-by-id", "walked-by-date"])
def test_an_embargoed_match_is_listed_exactly_from_its_lift(newsroom, limits, decoys, count):
    items = matches(newsroom, count)
    lift = decoys["embargoed"].embargo_until

    before = search_items(QUERY, at=lift - timedelta(seconds=1), filters=SearchFilters())
    at_lift = search_items(QUERY, at=lift, filters=SearchFilters())

    assert listed(before) == pks(items)
    assert listed(at_lift) == [decoys["embargoed"].pk, *pks(items)]
    assert at_lift.newest_ids(0, 100) == [decoys["embargoed"].pk, *pks(items)]


@pytest.mark.postgres
@pytest.mark.parametrize("window", [1000, 3], ids=["window-fills-the-page", "window-too-small"])
def test_a_common_match_is_walked_or_collected_with_the_same_rule(newsroom, limits, decoys, monkeypatch, window):
    from presscentre.syndication import search

    monkeypatch.setattr(search, "WALKED_RESULTS", 4)
    monkeypatch.setattr(search, "WALK_WINDOW", window)
    items = matches(newsroom, COLLECTED + 3)

    with CaptureQueriesContext(connection) as queries:
        results = search_items(QUERY, at=NOW, filters=SearchFilters())
        first = results.newest_ids(0, 4)  # walked, unless three items cannot fill the page
    deeper = results.newest_ids(4, 4)  # collected: nothing embargoed, unpublished or half-matching

    assert first == pks(items[:4])
    assert deeper == pks(items[4:8])
    assert listed(results, per_page=3) == pks(items)
    collected_again = [sql for sql in queries.captured_queries if "array_agg" in sql["sql"]]
    assert len(collected_again) == (1 if window == 1000 else 2)


@pytest.mark.postgres
def test_a_narrow_query_stays_ranked_as_the_search_backend_ranks(newsroom, limits):
    # Unpublished and embargoed matches count towards the limits too (they are in the index): none here.
    ArticleFactory(parent=newsroom, title="Tamarind alone")
    items = matches(newsroom, RANKED)  # the oldest of them has both words in its title
    items[-1].title = "Tamarind saffron, saffron and tamarind"
    items[-1].save_revision().publish()
    public = NewsItemPage.objects.live().filter(embargo_until__isnull=True)

    results = search_items(QUERY, at=NOW, filters=SearchFilters())

    assert not results.by_date
    assert results.item_ids[0] == items[-1].pk
    assert results.item_ids == [item.pk for item in public.search(QUERY, operator="and")]


@pytest.mark.postgres
def test_stop_words_alone_match_nothing(newsroom, limits, decoys):
    matches(newsroom, COLLECTED + 1)

    assert search_items("the", at=NOW, filters=SearchFilters()).item_ids == []
    assert search_items("the tamarind saffron", at=NOW, filters=SearchFilters()).by_date


# Filters still apply


@pytest.mark.postgres
@pytest.mark.parametrize("count", [2, COLLECTED], ids=["collected-by-id", "walked-by-date"])
def test_filters_narrow_a_broad_query(newsroom, limits, decoys, rf, count):
    topic = CategoryFactory(name="Spices", slug="spices")
    matches(newsroom, count)
    in_topic = matches(newsroom, 2, label="in topic ", categories=[topic])
    release = PressReleaseFactory(parent=newsroom, title="Tamarind saffron release", published_at=NOW)

    def newest(**params):
        filters = read_filters(rf.get("/search/", params).GET, at=NOW, time_zone=UTC, within=newsroom)
        results = search_items(QUERY, at=NOW, filters=filters)
        return results.newest_ids(0, 100) if results.by_date else results.item_ids

    assert sorted(newest(category="spices")) == sorted(pks(in_topic))
    assert newest(type=PressReleasePage.type_slug) == [release.pk]
    assert newest(year="2030") == []


# The page


@pytest.fixture
def two_a_page(settings, limits):
    settings.PRESSCENTRE_ITEMS_PER_PAGE = 2


def titles(response) -> list[str]:
    return [heading.get_text() for heading in BeautifulSoup(response.content, "html.parser").select(".entry-title")]


def count_text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").select_one(".search-count").get_text()


@pytest.mark.postgres
@pytest.mark.parametrize("count", [COLLECTED - 1, COLLECTED + 3], ids=["collected-by-id", "walked-by-date"])
def test_the_results_page_says_only_what_it_knows_and_pages_on(newsroom, reader, two_a_page, decoys, count):
    items = matches(newsroom, count)

    with time_machine.travel(NOW, tick=False):
        first = reader.get("/search/", {"q": QUERY})
        last_number = (count + 1) // 2
        last = reader.get("/search/", {"q": QUERY, "page": last_number})
        past = reader.get("/search/", {"q": QUERY, "page": last_number + 1})
        bad = reader.get("/search/", {"q": QUERY, "page": "abc"})
        zero = reader.get("/search/", {"q": QUERY, "page": "0"})

    assert titles(first) == [item.title for item in items[:2]]
    assert count_text(first) == "Newest first: more than 2 results"
    assert 'href="?q=tamarind+saffron&amp;page=2"' in first.content.decode()
    assert titles(last) == [item.title for item in items[(last_number - 1) * 2 :]]
    assert count_text(last) == f"Newest first: {count} results"
    assert 'rel="next"' not in last.content.decode()
    assert past.status_code == 404
    assert titles(bad) == titles(first)
    assert zero.status_code == 404


@pytest.mark.postgres
def test_a_broad_query_filtered_to_nothing_says_so(newsroom, reader, two_a_page, decoys):
    matches(newsroom, COLLECTED + 3)

    with time_machine.travel(NOW, tick=False):
        response = reader.get("/search/", {"q": QUERY, "year": "2030"})

    assert titles(response) == []
    assert count_text(response) == "0 results"
    assert b"Nothing matches your search" in response.content


@pytest.mark.postgres
def test_a_broad_search_page_neither_ranks_nor_counts_every_match(newsroom, reader, two_a_page, decoys):
    matches(newsroom, COLLECTED + 3)
    with time_machine.travel(NOW, tick=False):
        reader.get("/search/", {"q": QUERY})  # warm the site, settings and stop-word caches, as on a running site

        with CaptureQueriesContext(connection) as queries:
            response = reader.get("/search/", {"q": QUERY})

    statements = [query["sql"] for query in queries.captured_queries]
    assert len(titles(response)) == 2
    # Besides savepoints (a test runs inside a transaction) and the walk's SET LOCAL: ten queries, two of them
    # the search's own.
    selects = [sql for sql in statements if sql.startswith("SELECT")]
    assert len(selects) <= 10
    assert not any("ts_rank" in sql for sql in statements)
    counts = [sql for sql in statements if "COUNT(" in sql.upper() and "comments_comment" not in sql]
    assert all("LIMIT" in sql for sql in counts)  # the matches are read up to a limit, never all counted


# Paging a newest-first listing (no database needed)


def newest_first_results(available: int) -> SearchResults:
    return SearchResults(
        query=QUERY,
        terms=QUERY.split(),
        item_ids=[],
        by_date=True,
        newest_ids=lambda offset, limit: list(range(offset, min(offset + limit, available))),
    )


@pytest.mark.parametrize(
    ("available", "number", "shown", "has_next"),
    [(45, "1", [0, 1, 2], True), (45, None, [0, 1, 2], True), (45, "15", [42, 43, 44], False), (2, "1", [0, 1], False)],
)
def test_a_newest_first_page_looks_one_row_ahead(available, number, shown, has_next):
    page = results_page(newest_first_results(available), number, per_page=3)

    assert list(page) == shown
    assert page.has_next() is has_next
    assert page.end_index() == shown[-1] + 1


def test_a_newest_first_listing_stops_after_the_result_cap_as_a_ranked_one_does():
    from django.http import Http404

    last = MAX_RESULTS // 20
    plenty = newest_first_results(MAX_RESULTS * 2)

    assert results_page(plenty, str(last), per_page=20).has_next() is False
    with pytest.raises(Http404):
        results_page(plenty, str(last + 1), per_page=20)
    with pytest.raises(Http404):
        results_page(newest_first_results(3), "2", per_page=20)
