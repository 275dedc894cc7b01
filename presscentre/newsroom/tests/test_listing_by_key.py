"""Pages read by key (issue 21): every page holds exactly what OFFSET pagination would, ties and filters included."""

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache

from presscentre.newsroom.tests.factories import ArticleFactory, CategoryFactory, PressReleaseFactory

START = datetime(2030, 1, 1, 9, tzinfo=UTC)


def titles(response) -> list[str]:
    return [a.get_text() for a in BeautifulSoup(response.content, "html.parser").select("article.entry .entry-title a")]


@pytest.fixture
def archive(newsroom, settings):
    settings.PRESSCENTRE_ITEMS_PER_PAGE = 3
    topic = CategoryFactory(name="Economy", slug="economy")
    items = []
    for n in range(17):
        # Every third pair shares its instant, so the order within a tie is the id's.
        published_at = START + timedelta(hours=n - n % 2 * (n % 3 == 0))
        factory = PressReleaseFactory if n % 2 else ArticleFactory
        items.append(factory(parent=newsroom, title=f"Item {n:02}", published_at=published_at, categories=[topic]))
    PressReleaseFactory(parent=newsroom, title="Held back", embargo_until=START + timedelta(days=9999))
    return sorted(items, key=lambda item: (item.published_at, item.pk), reverse=True)


@pytest.mark.parametrize("listing", ["/", "/?type=press-release", "/category/economy/"])
def test_every_page_read_by_key_holds_what_the_offset_page_would(archive, client, listing):
    expected = [
        item.title for item in archive if listing != "/?type=press-release" or item.type_slug == "press-release"
    ]
    joiner = "&" if "?" in listing else "?"
    pages = [expected[n : n + 3] for n in range(0, len(expected), 3)]

    for warm_or_cold in ("cold", "warm"):
        if warm_or_cold == "cold":
            cache.clear()
        seen = [titles(client.get(f"{listing}{joiner}page={number}")) for number in range(1, len(pages) + 1)]
        assert seen == pages, warm_or_cold
    assert client.get(f"{listing}{joiner}page={len(pages) + 1}").status_code == 404


def test_the_positions_are_read_again_when_the_listings_change(archive, client, newsroom):
    from presscentre.pagecache.services import purge_listings

    assert titles(client.get("/?page=2")) == [item.title for item in archive][3:6]
    PressReleaseFactory(parent=newsroom, title="Newest of all", published_at=START + timedelta(days=1))
    purge_listings()  # as a publish does

    assert titles(client.get("/?page=2")) == [item.title for item in archive][2:5]
