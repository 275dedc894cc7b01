"""The Google News sitemap stays well-formed XML whatever a title holds (issue 15, defects 5 and 9)."""

from datetime import UTC, datetime, timedelta

from lxml import etree
from wagtail.models import Page

from presscentre.newsroom.tests.factories import PressReleaseFactory

NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def test_a_control_character_in_a_stored_title_leaves_the_news_sitemap_well_formed(newsroom, client):
    release = PressReleaseFactory(parent=newsroom, published_at=datetime.now(UTC) - timedelta(hours=1))
    # Past the models' checks, as a row saved before they existed.
    Page.objects.filter(pk=release.pk).update(title="Budget\x0bplans & <more>\x01")

    response = client.get("/news-sitemap.xml")

    assert response.status_code == 200
    title = etree.fromstring(response.content).find(f".//{NEWS}title")
    assert title.text == "Budget plans & <more>"
