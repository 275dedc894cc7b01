"""The PostgreSQL search narrows candidates through the index's GIN-indexed columns first; the narrowing must
never lose a match the backend itself would make (words split between title and body, stop words)."""

from datetime import UTC, datetime

import pytest

from presscentre.newsroom.tests.factories import ArticleFactory, paragraph_body
from presscentre.syndication.search import SearchFilters, search_items

NOW = datetime(2031, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def items(newsroom):
    both = ArticleFactory(
        parent=newsroom,
        title="Harbourwick dredging plan",
        body=paragraph_body("The lighthousery budget is examined."),
        published_at=datetime(2031, 1, 1, tzinfo=UTC),
    )
    title_only = ArticleFactory(
        parent=newsroom, title="Harbourwick ferries", published_at=datetime(2031, 1, 2, tzinfo=UTC)
    )
    ArticleFactory(parent=newsroom, title="Unrelated", body=paragraph_body("Nothing to see."))
    return both, title_only


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("harbourwick lighthousery", ["both"]),  # one word in the title, the other in the body
        ("the lighthousery", ["both"]),  # a stop word matches nothing by itself and must not empty the results
        ("harbourwick", ["both", "title_only"]),
        ("harbourwick zanzibarish", []),
    ],
)
def test_search_matches_every_word_across_title_and_body(items, query, expected):
    names = dict(zip(("both", "title_only"), items, strict=True))

    found = search_items(query, at=NOW, filters=SearchFilters()).item_ids

    assert sorted(found) == sorted(names[name].pk for name in expected)
