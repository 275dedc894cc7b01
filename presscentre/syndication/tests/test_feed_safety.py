"""Whatever text titles, summaries, bodies, categories, people and comments hold, every feed carries it safely
(issue 15, defects 1, 5 and 9).

HTML-typed fields (RSS description and content:encoded, Atom summary and content of type html, JSON Feed
content_html) hold HTML that was escaped or sanitised exactly once: parsed as a feed reader parses it, there is
no script element, no on* attribute and no javascript: address, and text that was typed reads back as typed.
Text fields (titles, names, JSON Feed summary and content_text) hold the words as typed, never escaped twice.
"""

import html
import json
import re

import lxml.html
import pytest
from django.core.files.base import ContentFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from wagtail.documents import get_document_model
from wagtail.models import Page, Site

from presscentre.comments.models import Comment
from presscentre.comments.tests.factories import CommentFactory
from presscentre.core.tests.security_payloads import XSS_PAYLOADS
from presscentre.core.text import has_xml_invalid_characters
from presscentre.core.urls_public import public_url
from presscentre.newsroom.models import Category, NewsItemPage, Person, PressCentreSettings, PressReleasePage
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    MediaAppearanceFactory,
    PersonFactory,
    PressReleaseFactory,
)
from presscentre.syndication.models import SyndicationSettings

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
FORMATS = ("feed/", "feed/atom/", "feed/json/")

SLOW_FIXTURES = HealthCheck.function_scoped_fixture, HealthCheck.too_slow
SAFETY = settings(max_examples=30, deadline=None, derandomize=True, database=None, suppress_health_check=SLOW_FIXTURES)

# Markup that no editor can type, as if it reached the database some other way: sanitised, never passed on.
LIVE_MARKUP = (
    '<p onclick="steal()">Live <script>alert(2)</script><img src="/x.png" onerror="alert(3)">'
    '<a href="javascript:alert(4)">link</a><svg onload="alert(5)"></svg></p>'
)
TYPED_VECTORS = [
    *XSS_PAYLOADS,
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "Use <svg onload=alert(1)> carefully",
    "Title <em>With</em> Markup",
    "a < b & c > d",
    'AT&T\'s "quoted" <b>',
]
# Text as people type it about HTML: markup characters, quotes and entity-like runs among letters.
markup_text = st.text(alphabet="<>&;#/=\"' abcxyzLT()!é", min_size=1, max_size=40)
hostile_text = st.one_of(st.sampled_from(TYPED_VECTORS), markup_text).filter(lambda text: text.strip())
TEXT_FIELDS = ("title", "summary", "body", "category", "description", "person", "commenter", "comment")
texts = st.fixed_dictionaries(dict.fromkeys(TEXT_FIELDS, hostile_text))


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


def assert_inert(markup: str | None, where: str) -> str:
    """Parse an HTML-typed field as a reader would and return its text: no script, no on*, no javascript:."""
    if not markup:
        return ""
    fragment = lxml.html.fragment_fromstring(markup, create_parent="div")
    for element in fragment.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions are not rendered
        assert element.tag.lower() != "script", (where, markup)
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, markup)
            # Browsers drop whitespace and control characters inside a scheme before reading it.
            scheme = re.sub(r"[\x00-\x20]", "", value).lower()
            assert not scheme.startswith(("javascript:", "vbscript:")), (where, markup)
    return fragment.text_content()


def assert_html_reads_as(markup: str | None, expected: str, where: str) -> None:
    """An HTML-typed field made from plain text: inert, and its text is the plain text (escaped exactly once)."""
    assert squash(assert_inert(markup, where)) == squash(expected), (where, markup)


def recording():
    document = get_document_model()(title="Interview recording")
    document.file.save("interview.mp3", ContentFile(b"ID3audio"), save=False)
    document.file_size = 8
    document.save()
    return document


@pytest.fixture
def newsroom_with_everything(newsroom):
    """An item of each kind the feeds treat differently, filed under one category and one person, with a comment."""
    category = CategoryFactory(name="Economy", slug="economy")
    person = PersonFactory(name="Nia Evans", slug="nia-evans")
    filed = {"categories": [category], "people": [person]}
    release = PressReleaseFactory(parent=newsroom, **filed)
    article = ArticleFactory(parent=newsroom, summary="", original_url="", **filed)
    appearance = MediaAppearanceFactory(parent=newsroom, summary="", recording=recording(), **filed)
    comment = CommentFactory(item=article, status=Comment.Status.APPROVED)
    client = Client()
    client.get("/feed/")  # Wagtail creates the settings rows on first use
    return {
        "category": category,
        "person": person,
        "release": release,
        "article": article,
        "appearance": appearance,
        "comment": comment,
        "client": client,
        "organisation": PressCentreSettings.for_site(Site.objects.get(is_default_site=True)).organisation_name,
    }


def write_texts(world: dict, texts: dict, *, whole: bool) -> dict[str, dict]:
    """Put the texts straight into the rows (as old imports or other tools may have) and return what each item's
    title and excerpt must read as, by the item's public URL."""
    release, article, appearance = world["release"], world["article"], world["appearance"]
    escaped_body = [{"type": "paragraph", "value": f"<p>{html.escape(texts['body'])}</p>"}]
    Page.objects.filter(pk__in=[release.pk, article.pk, appearance.pk]).update(title=texts["title"])
    NewsItemPage.objects.filter(pk=release.pk).update(
        summary=texts["summary"], body=[*escaped_body, {"type": "paragraph", "value": LIVE_MARKUP}]
    )
    PressReleasePage.objects.filter(pk=release.pk).update(lead=texts["summary"])
    NewsItemPage.objects.filter(pk__in=[article.pk, appearance.pk]).update(summary="", body=escaped_body)
    Category.objects.filter(pk=world["category"].pk).update(name=texts["category"], description=texts["description"])
    Person.objects.filter(pk=world["person"].pk).update(name=texts["person"])
    Comment.objects.filter(pk=world["comment"].pk).update(author_name=texts["commenter"], body=texts["comment"])
    feed_settings = SyndicationSettings.for_site(Site.objects.get(is_default_site=True))
    feed_settings.full_text = feed_settings.release_full_text = whole
    feed_settings.save()
    return {
        public_url(item.url): {
            "title": texts["title"],
            "excerpt": texts["summary"].strip() if item is release else squash(texts["body"]),
        }
        for item in (release, article, appearance)
    }


def check_rss(
    response, expected: dict, *, title: str, description: str, person: str, category: str, count: int = 3
) -> None:
    assert response.status_code == 200
    channel = etree.fromstring(response.content).find("channel")
    assert len(channel.findall("item")) == count
    assert channel.findtext("title") == title
    assert_html_reads_as(channel.findtext("description"), description, "rss channel description")
    for item in channel.iter("item"):
        wanted = expected[item.findtext("link")]
        assert item.findtext("title") == wanted["title"]
        assert_html_reads_as(item.findtext("description"), wanted["excerpt"], "rss description")
        assert_inert(item.findtext(f"{CONTENT}encoded"), "rss content:encoded")
        assert item.findtext(f"{DC}creator") == person
        assert [element.text for element in item.findall("category")] == [category]


def check_atom(response, expected: dict, *, title: str, subtitle: str, person: str, category: str) -> None:
    assert response.status_code == 200
    feed = etree.fromstring(response.content)
    assert len(feed.findall(f"{ATOM}entry")) == 3
    assert feed.findtext(f"{ATOM}title") == title
    assert squash(feed.findtext(f"{ATOM}subtitle")) == squash(subtitle)
    assert feed.find(f"{ATOM}subtitle").get("type", "text") == "text"
    for entry in feed.iter(f"{ATOM}entry"):
        wanted = expected[entry.find(f"{ATOM}link").get("href")]
        assert entry.findtext(f"{ATOM}title") == wanted["title"]
        assert entry.find(f"{ATOM}title").get("type", "text") == "text"
        summary = entry.find(f"{ATOM}summary")
        assert summary.get("type") == "html"
        assert_html_reads_as(summary.text, wanted["excerpt"], "atom summary")
        content = entry.find(f"{ATOM}content")
        if content is not None:
            assert content.get("type") == "html"
            assert_inert(content.text, "atom content")
        assert entry.findtext(f"{ATOM}author/{ATOM}name") == person
        assert [element.get("term") for element in entry.findall(f"{ATOM}category")] == [category]


def check_json(response, expected: dict, *, title: str, description: str, person: str, category: str) -> None:
    assert response.status_code == 200
    feed = json.loads(response.content)
    assert len(feed["items"]) == 3
    assert feed["title"] == title
    assert squash(feed["description"]) == squash(description)
    for item in feed["items"]:
        wanted = expected[item["url"]]
        assert item["title"] == wanted["title"]
        assert squash(item["summary"]) == wanted["excerpt"]
        if "content_html" in item:
            assert_inert(item["content_html"], "json content_html")
        else:
            assert squash(item["content_text"]) == wanted["excerpt"]
        assert item["authors"] == [{"name": person}]
        assert item["tags"] == [category]


@SAFETY
@given(texts=texts, whole=st.booleans())
def test_every_item_feed_carries_typed_text_as_text_and_markup_only_sanitised(newsroom_with_everything, texts, whole):
    world = newsroom_with_everything
    client = world["client"]
    expected = write_texts(world, texts, whole=whole)
    site = f"{world['organisation']} \u2013 Press Centre"
    person_says = f"The latest items by or with {texts['person']}."
    site_says = f"The latest news from {world['organisation']}."
    names = {"person": texts["person"], "category": texts["category"]}

    for prefix, title, description in [
        ("/category/economy/", f"{site} \u2013 {texts['category']}", texts["description"]),
        ("/author/nia-evans/", f"{site} \u2013 {texts['person']}", person_says),
        ("/", site, site_says),
    ]:
        check_rss(client.get(f"{prefix}feed/"), expected, title=title, description=description, **names)
        check_atom(client.get(f"{prefix}feed/atom/"), expected, title=title, subtitle=description, **names)
        check_json(client.get(f"{prefix}feed/json/"), expected, title=title, description=description, **names)
    articles = client.get("/feed/?type=article")
    check_rss(articles, expected, title=f"{site} \u2013 Articles", description=site_says, count=1, **names)

    podcast = client.get("/feed/podcast/")
    check_rss(
        podcast,
        expected,
        title=f"{site} \u2013 Media appearances",
        description=f"Interviews and broadcasts with {world['organisation']}'s people.",
        count=1,
        **names,
    )
    (episode,) = etree.fromstring(podcast.content).iter("item")
    assert squash(episode.findtext(f"{ITUNES}summary")) == squash(texts["body"])
    assert episode.findtext(f"{ITUNES}author") == texts["person"]


@SAFETY
@given(texts=texts)
def test_the_api_carries_titles_summaries_and_names_as_text(newsroom_with_everything, texts):
    world = newsroom_with_everything
    write_texts(world, texts, whole=False)

    release = world["client"].get(f"/api/v2/pages/{world['release'].pk}/").json()

    assert release["title"] == texts["title"]
    assert release["summary"] == texts["summary"]
    assert release["excerpt"] == texts["summary"].strip()
    assert release["people"][0]["name"] == texts["person"]
    assert release["categories"][0]["name"] == texts["category"]


# Every feed but one item's comment feed, whose address holds the item's id.
EVERY_FEED = [
    *(f"{prefix}{feed}" for prefix in ("/", "/category/economy/", "/author/nia-evans/") for feed in FORMATS),
    "/feed/?type=article",
    "/feed/podcast/",
    "/comments/feed/",
]


def test_a_control_character_saved_before_input_was_checked_takes_no_feed_down(newsroom_with_everything):
    world = newsroom_with_everything
    client = world["client"]
    # Written past the models' own checks, as rows saved before those checks existed were.
    write_texts(world, dict.fromkeys(TEXT_FIELDS, "Vertical\x0btab\x0c and\x01 bell\x07"), whole=True)
    every_feed = [*EVERY_FEED, f"/comments/feed/{world['article'].pk}/"]

    for url in every_feed:
        response = client.get(url)

        assert response.status_code == 200, url
        text = response.content.decode()
        assert not has_xml_invalid_characters(text), url
        if url.endswith("json/"):
            items = json.loads(text)["items"]
        else:
            tree = etree.fromstring(response.content)
            items = tree.findall("channel/item") or tree.findall(f"{ATOM}entry")
        assert items, url
    assert "Vertical tab  and bell" in client.get("/feed/json/").json()["items"][0]["title"]


TITLES = ["a < b", "Title <em>With</em> Markup", "Fish &amp; chips", 'AT&T\'s "best" <script>alert(1)</script>']


def test_a_title_reaches_every_feed_as_the_text_typed_escaped_exactly_once(newsroom, client):
    for title in TITLES:
        ArticleFactory(parent=newsroom, title=title, original_url="")

    rss = client.get("/feed/").content
    atom = client.get("/feed/atom/").content
    assert sorted(item.findtext("title") for item in etree.fromstring(rss).iter("item")) == sorted(TITLES)
    assert sorted(entry.findtext(f"{ATOM}title") for entry in etree.fromstring(atom).iter(f"{ATOM}entry")) == (
        sorted(TITLES)
    )
    assert sorted(item["title"] for item in client.get("/feed/json/").json()["items"]) == sorted(TITLES)
    # In the XML itself, once: "<" is "&lt;" (never "&amp;lt;"), and "&amp;" typed is "&amp;amp;".
    assert b"<title>a &lt; b</title>" in rss and b"<title>Fish &amp;amp; chips</title>" in rss
    assert b"<title>Title &lt;em&gt;With&lt;/em&gt; Markup</title>" in atom


def test_the_api_sends_rich_text_sanitised_and_keeps_wagtails_own_links(newsroom, client):
    target = ArticleFactory(parent=newsroom, title="Background")
    link = f'<a linktype="page" id="{target.pk}">background</a>'
    release = PressReleaseFactory(
        parent=newsroom,
        body=[{"type": "paragraph", "value": f"<p>See {link}.</p>{LIVE_MARKUP}"}],
        notes_to_editors=f"<p>Notes {link}</p>{LIVE_MARKUP}",
    )

    for rich_text_format in ("", "?rich_text_format=html"):
        detail = client.get(f"/api/v2/pages/{release.pk}/{rich_text_format}").json()

        for where, markup in [("body", detail["body"][0]["value"]), ("notes", detail["notes_to_editors"])]:
            text = assert_inert(markup, where)
            assert "alert" not in text and "steal" not in markup, where
            assert "background" in text and "Live" in text, where
        if not rich_text_format:
            assert link in detail["body"][0]["value"] and link in detail["notes_to_editors"]
