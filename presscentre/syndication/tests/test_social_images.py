"""The picture a page is shared with: its featured image, else the organisation's default image, else its logo."""

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from presscentre.newsroom.models import PressCentreSettings
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ImageFactory,
    PressReleaseFactory,
    ReportFactory,
)


class Card:
    """The OpenGraph and Twitter tags a social network reads from a page."""

    def __init__(self, response):
        assert response.status_code == 200
        self.head = BeautifulSoup(response.content, "html.parser").head

    def __getitem__(self, key: str) -> str | None:
        found = self.head.find_all("meta", attrs={"property": key}) or self.head.find_all("meta", attrs={"name": key})
        assert len(found) <= 1, key
        return found[0]["content"] if found else None


def assert_absolute(url: str) -> None:
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.netloc, url


def photo(name: str = "photo.png", **kwargs):
    return ImageFactory(file__filename=name, file__format="PNG", file__width=1600, file__height=1000, **kwargs)


@pytest.fixture
def site_settings(newsroom):
    found = PressCentreSettings.for_site(newsroom.get_site())
    found.organisation_name = "Institute for Fair Policy"
    found.save()
    return found


def test_an_items_featured_image_is_its_social_image_with_its_alt_text(newsroom, site_settings, client):
    item = ArticleFactory(parent=newsroom, featured_image=photo("pylons.png"), featured_image_alt="Pylons at dusk")

    card = Card(client.get(item.url))

    assert_absolute(card["og:image"])
    assert "pylons" in card["og:image"] and ".fill-1200x630." in card["og:image"]
    assert (card["og:image:width"], card["og:image:height"]) == ("1200", "630")
    assert card["og:image:alt"] == "Pylons at dusk"
    assert card["twitter:image"] == card["og:image"]
    assert card["twitter:image:alt"] == "Pylons at dusk"
    assert card["twitter:card"] == "summary_large_image"


def test_the_featured_image_comes_before_a_report_cover(newsroom, site_settings, client):
    report = ReportFactory(
        parent=newsroom, cover_image=photo("cover.png"), featured_image=photo("launch.png"), featured_image_alt="Launch"
    )

    card = Card(client.get(report.url))

    assert "launch" in card["og:image"]


def test_an_item_without_an_image_is_shared_with_the_default_social_image(newsroom, site_settings, client):
    site_settings.default_social_image = photo("building.png", description="The institute's building")
    site_settings.save()
    item = PressReleaseFactory(parent=newsroom)

    card = Card(client.get(item.url))

    assert_absolute(card["og:image"])
    assert "building" in card["og:image"] and ".fill-1200x630." in card["og:image"]
    assert card["og:image:alt"] == "The institute's building"
    assert card["twitter:card"] == "summary_large_image"


def test_without_a_default_image_the_logo_is_shared_whole(newsroom, site_settings, client):
    site_settings.logo = ImageFactory(file__filename="logo.png", file__format="PNG", file__width=800, file__height=200)
    site_settings.save()
    item = PressReleaseFactory(parent=newsroom)

    card = Card(client.get(item.url))

    assert_absolute(card["og:image"])
    assert ".max-1200x630." in card["og:image"]
    assert (card["og:image:width"], card["og:image:height"]) == ("800", "200")
    assert card["og:image:alt"] == "Institute for Fair Policy logo"


def test_listings_and_other_pages_are_shared_with_the_default_image(newsroom, site_settings, client):
    ArticleFactory(parent=newsroom, categories=[CategoryFactory(slug="economy")])  # an archive needs a public item
    site_settings.default_social_image = photo("building.png", description="The institute's building")
    site_settings.save()

    for url in ["/", "/category/economy/", "/search/"]:
        card = Card(client.get(url))
        assert "building" in card["og:image"], url
        assert_absolute(card["og:image"])


def test_with_no_image_anywhere_there_is_no_social_image(newsroom, site_settings, client):
    item = PressReleaseFactory(parent=newsroom)

    card = Card(client.get(item.url))

    assert card["og:image"] is None
    assert card["og:image:alt"] is None
    assert card["twitter:card"] == "summary"
