"""A lift tells the edge (Varnish, a CDN) about every listing of the item, feeds and sitemaps included: with no
header counting down to the lift, a purge is the only way the edge learns the item is public."""

from datetime import UTC, datetime, timedelta

import pytest
from wagtail.contrib.frontend_cache.backends import BaseBackend

from presscentre.embargo.services import lift_embargo
from presscentre.newsroom.tests.factories import ArticleFactory, CategoryFactory, PersonFactory, PressReleaseFactory

LIFT = datetime(2030, 3, 2, 0, 1, tzinfo=UTC)
PURGED: list[str] = []


class RecordingBackend(BaseBackend):
    """A front-end cache that notes each URL it is told to purge."""

    def purge(self, url):
        PURGED.append(url)


@pytest.fixture(autouse=True)
def _frontend_cache(settings):
    settings.WAGTAILFRONTENDCACHE = {"varnish": {"BACKEND": f"{__name__}.RecordingBackend"}}
    PURGED.clear()


def test_a_lift_purges_the_item_its_archives_and_every_feed_sitemap_search_and_api_listing(
    newsroom, time_machine, django_capture_on_commit_callbacks
):
    topic, author = CategoryFactory(name="Economy", slug="economy"), PersonFactory(name="Nia Evans", slug="nia-evans")
    ArticleFactory(parent=newsroom, categories=[topic], people=[author], published_at=LIFT - timedelta(days=1))
    release = PressReleaseFactory(
        parent=newsroom, slug="pay-gap", embargo_until=LIFT, published_at=LIFT, categories=[topic], people=[author]
    )
    time_machine.move_to(LIFT, tick=False)
    PURGED.clear()

    with django_capture_on_commit_callbacks(execute=True):
        lift_embargo(release, at=LIFT)

    root = newsroom.get_site().root_url
    paths = {url.removeprefix(root) for url in PURGED}
    assert {"/pay-gap/", "/", "/category/economy/", "/author/nia-evans/"} <= paths
    assert {"/feed/", "/feed/atom/", "/feed/json/", "/feed/podcast/"} <= paths
    assert {"/sitemap.xml", "/news-sitemap.xml", "/search/", "/api/v2/pages/"} <= paths
    for archive in ("/category/economy/", "/author/nia-evans/"):
        assert {f"{archive}feed/", f"{archive}feed/atom/", f"{archive}feed/json/"} <= paths
