"""Descriptions cut from rich text keep words apart where a paragraph, list item or line ends (issue 15, defect 7):
meta descriptions of the home page, items and person archives, listing excerpts and feed summaries."""

import json

from bs4 import BeautifulSoup
from lxml import etree

from presscentre.newsroom.tests.factories import ArticleFactory, PersonFactory

TWO_PARAGRAPHS = [{"type": "paragraph", "value": "<p>First sentence.</p><p>Second &amp; last</p>"}]
READS = "First sentence. Second & last"


def meta_description(response) -> str:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").head.find("meta", attrs={"name": "description"})["content"]


def test_the_home_page_meta_description_keeps_the_intros_paragraphs_apart(newsroom, client):
    newsroom.intro = "<p>We publish research.</p><p>Read it &amp; share it.</p>"
    newsroom.save()

    assert meta_description(client.get("/")) == "We publish research. Read it & share it."


def test_a_person_archive_description_keeps_the_bios_paragraphs_apart(newsroom, client):
    person = PersonFactory(role="", bio="<p>Economist.</p><ul><li>Budgets</li><li>Housing</li></ul>")
    ArticleFactory(parent=newsroom, people=[person])

    assert meta_description(client.get(f"/author/{person.slug}/")) == "Economist. Budgets Housing"


def test_an_items_excerpt_keeps_paragraphs_apart_in_its_page_the_listing_and_the_feeds(newsroom, client):
    article = ArticleFactory(parent=newsroom, summary="", body=TWO_PARAGRAPHS, original_url="")

    assert meta_description(client.get(article.url)) == READS
    listing = BeautifulSoup(client.get("/").content, "html.parser")
    assert [p.get_text(strip=True) for p in listing.select(".entry-excerpt")] == [READS]
    rss = etree.fromstring(client.get("/feed/").content)
    assert rss.findtext("channel/item/description") == "First sentence. Second &amp; last"
    assert json.loads(client.get("/feed/json/").content)["items"][0]["summary"] == READS
