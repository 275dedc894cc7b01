"""Query budgets: every public surface runs a fixed number of queries, however large the archive.

Each surface is measured cold (an empty cache: no cached totals, no cached site lookups) with a small archive
and again with a larger one; the larger may not cost more, and neither may exceed the surface's budget.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from presscentre.comments.models import Comment
from presscentre.comments.tests.factories import CommentFactory
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    MediaAppearanceFactory,
    PersonFactory,
    PressReleaseFactory,
    ReportFactory,
)
from presscentre.pagecache import services

TYPES = [PressReleaseFactory, ArticleFactory, ReportFactory, MediaAppearanceFactory]

# Budgets per surface: cold (nothing cached: the shared cache emptied, so the site memory is read afresh too) and
# steady (the site memory warm, as on a running server; the page cache is not involved in either). Every HTML
# page's footer has the alerts sign-up with its consent text, from the site memory: one query more when cold.
BUDGETS = {
    "/": (12, 3),
    "/?page=2": (12, 3),
    "/?type=article": (12, 3),
    "/category/economy/": (13, 4),
    "/author/nia-evans/": (13, 4),
    "/?page=2&type=report": (12, 3),
    "/feed/": (12, 5),
    "/feed/atom/": (12, 5),
    "/feed/json/": (12, 5),
    "/feed/podcast/": (9, 2),
    "/category/economy/feed/": (13, 6),
    "/author/nia-evans/feed/": (13, 6),
    "/comments/feed/": (7, 1),
    "/sitemap.xml": (7, 3),  # the index: one grouped read for the items (issue 21)
    "/sitemap-pages.xml": (15, 10),  # two for the plain pages (issue 15)
    "/sitemap-items-0.xml": (6, 1),  # one range read of plain rows
    "/news-sitemap.xml": (6, 1),
    # PostgreSQL's full-text backend runs one query more than SQLite's.
    "/search/?q=budget": (16, 7),
    "/search/?q=budget&type=report&page=2": (16, 7),
}
# Reports and recordings show the press contact block too (issue 14): one more query while the site memory is cold.
# Releases, reports and media appearances read their gallery (one query when empty) and which of their people take
# interview requests (one query) (issue 19).
ITEM_BUDGETS = {"press release": (14, 6), "article": (11, 4), "report": (14, 6), "media appearance": (13, 5)}
ITEM_FEED_BUDGET = (7, 2)


class Archive:
    def __init__(self, newsroom):
        self.newsroom = newsroom
        self.topic = CategoryFactory(name="Economy", slug="economy")
        self.person = PersonFactory(name="Nia Evans", slug="nia-evans")
        self.items = {}
        self.made = 0

    def grow(self, per_type: int) -> None:
        """Add `per_type` items of each type, all filed under the topic and person, each with comments."""
        for factory in TYPES:
            for _ in range(per_type):
                self.made += 1
                item = factory(
                    parent=self.newsroom,
                    title=f"Budget figures {self.made}",
                    comments_open=True,
                    categories=[self.topic],
                    people=[self.person],
                )
                self.items.setdefault(item.specific_class._meta.verbose_name, item)
                first = self.items[item.specific_class._meta.verbose_name]
                for target in {first.pk: first, item.pk: item}.values():
                    CommentFactory(item=target, status=Comment.Status.APPROVED, approved_at=timezone.now())
                    CommentFactory(item=target, status=Comment.Status.APPROVED, approved_at=timezone.now())

    def urls(self) -> dict[str, tuple[int, int]]:
        found = dict(BUDGETS)
        for name, item in self.items.items():
            found[item.url] = ITEM_BUDGETS[name]
            found[f"/comments/feed/{item.pk}/"] = ITEM_FEED_BUDGET
        return found


def cold_queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.fixture
def archive(newsroom, settings):
    settings.PRESSCENTRE_ITEMS_PER_PAGE = 2
    return Archive(newsroom)


def steady_queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize(("measure", "which"), [(cold_queries, 0), (steady_queries, 1)], ids=["cold", "steady"])
def test_every_surface_stays_within_its_budget_as_the_archive_grows(archive, client, measure, which):
    archive.grow(per_type=3)
    for url in archive.urls():
        client.get(url)  # site settings rows are created on first use
    small = {url: measure(client, url) for url in archive.urls()}

    archive.grow(per_type=5)
    large = {url: measure(client, url) for url in archive.urls()}

    grew = {url: (small[url], large[url]) for url in small if large[url] > small[url]}
    over = {url: (large[url], budgets[which]) for url, budgets in archive.urls().items() if large[url] > budgets[which]}
    assert grew == {}
    assert over == {}


def test_deep_pages_do_not_count_the_archive_on_every_request(archive, client):
    archive.grow(per_type=3)
    client.get("/?page=3")

    with CaptureQueriesContext(connection) as again:
        client.get("/?page=3")
    services.purge_listings()
    with CaptureQueriesContext(connection) as after_purge:
        client.get("/?page=3")

    # A whole-listing read is the positions' window (the total and each page's first key, `ROW_NUMBER() OVER`).
    totals = [query["sql"] for query in again if "ROW_NUMBER" in query["sql"].upper()]
    assert totals == []
    assert any("ROW_NUMBER" in query["sql"].upper() for query in after_purge)


def test_a_cached_total_is_not_kept_past_the_next_embargo(archive, client, time_machine):
    from datetime import timedelta

    time_machine.move_to("2031-03-02 08:59:00+00:00", tick=False)
    lift = timezone.now() + timedelta(seconds=30)
    PressReleaseFactory(parent=archive.newsroom, title="Held", embargo_until=lift, published_at=lift)
    archive.grow(per_type=1)
    before = client.get("/?type=press-release")

    time_machine.move_to(lift, tick=False)
    after = client.get("/?type=press-release")

    assert b"Held" not in before.content
    assert b"Held" in after.content


@pytest.mark.parametrize("listing", ["/", "/?type=press-release", "/category/economy/", "/author/nia-evans/"])
def test_a_far_page_costs_the_queries_of_page_two_and_no_offset(archive, client, listing):
    """Page 2 and the last page of each listing: the same number of queries, cold and warm, and the far page reads
    its rows by key (no OFFSET), so its cost does not grow with its distance from the front."""
    archive.grow(per_type=10)
    joiner = "&" if "?" in listing else "?"
    last = client.get(listing).context["items"].paginator.num_pages
    assert last >= 5
    second, far = f"{listing}{joiner}page=2", f"{listing}{joiner}page={last}"
    for url in (second, far):
        client.get(url)  # site settings rows are created on first use

    assert cold_queries(client, second) == cold_queries(client, far)
    assert steady_queries(client, second) == steady_queries(client, far)
    with CaptureQueriesContext(connection) as queries:
        client.get(far)
    assert not [query["sql"] for query in queries if "OFFSET" in query["sql"].upper()]
