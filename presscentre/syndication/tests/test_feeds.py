"""The item feeds (RSS, Atom, JSON Feed, podcast): formats, scope, conditional GET and the embargo rule."""

import json
import os
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.files.base import ContentFile
from lxml import etree
from wagtail.documents import get_document_model
from wagtail.models import Site

from presscentre.comments.models import Comment
from presscentre.comments.tests.factories import CommentFactory
from presscentre.embargo.models import AccessLink
from presscentre.newsroom.models import ArticlePage, PressCentreSettings
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    MediaAppearanceFactory,
    PersonFactory,
    PressContactFactory,
    PressReleaseFactory,
    ReportFactory,
)
from presscentre.syndication.feeds import FEED_LENGTH
from presscentre.syndication.models import SyndicationSettings

ATOM = "{http://www.w3.org/2005/Atom}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
ATOM_SCHEMA = Path(settings.BASE_DIR).parent / "shared/conformance/schemas/atom/atom-rfc4287.rng"
LIFT = datetime(2031, 5, 23, 23, 1, tzinfo=UTC)  # 00:01 BST on 24 May 2031
MARKER = "QX7-FEED-EMBARGO-MARKER"
AUDIO = b"ID3" + bytes(range(256)) * 40  # 10,243 bytes standing in for an MP3

SITE_FEEDS = ["/feed/", "/feed/atom/", "/feed/json/"]


def formats(prefix: str) -> list[str]:
    return [f"{prefix}feed/", f"{prefix}feed/atom/", f"{prefix}feed/json/"]


def titles(response) -> list[str]:
    """Item titles in feed order, whatever the format."""
    if response["Content-Type"].startswith("application/feed+json"):
        return [item["title"] for item in json.loads(response.content)["items"]]
    tree = etree.fromstring(response.content)
    if tree.tag == f"{ATOM}feed":
        return [entry.findtext(f"{ATOM}title") for entry in tree.iter(f"{ATOM}entry")]
    return [item.findtext("title") for item in tree.iter("item")]


def recording(name: str = "interview.mp3", content: bytes = AUDIO):
    document = get_document_model()(title="Interview recording")
    document.file.save(name, ContentFile(content), save=False)
    document.file_size = len(content)  # as Wagtail's upload form records it
    document.save()
    return document


@pytest.fixture
def topic(db):
    return CategoryFactory(name="Economy", slug="economy")


@pytest.fixture
def fellow(db):
    return PersonFactory(name="Nia Evans", slug="nia-evans")


@pytest.fixture
def mixed_items(newsroom, topic, fellow):
    """One item of each type, oldest first; the release and the appearance are filed under the topic and fellow."""
    return [
        PressReleaseFactory(parent=newsroom, title="Release", categories=[topic], people=[fellow]),
        ArticleFactory(parent=newsroom, title="Article"),
        ReportFactory(parent=newsroom, title="Report"),
        MediaAppearanceFactory(
            parent=newsroom, title="Appearance", categories=[topic], people=[fellow], recording=recording()
        ),
    ]


@pytest.fixture
def full_text(newsroom):
    feed_settings = SyndicationSettings.for_site(Site.objects.get(is_default_site=True))
    feed_settings.full_text = True
    feed_settings.save()
    return feed_settings


# Formats


def test_atom_feeds_validate_against_the_rfc4287_schema(mixed_items, client, full_text):
    if not ATOM_SCHEMA.exists():
        message = f"The Atom schema is missing at {ATOM_SCHEMA}."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    schema = etree.RelaxNG(etree.parse(str(ATOM_SCHEMA)))

    for url in [
        "/feed/atom/",
        "/category/economy/feed/atom/",
        "/author/nia-evans/feed/atom/",
        "/feed/atom/?type=report",
    ]:
        document = etree.fromstring(client.get(url).content)
        assert schema.validate(document), (url, schema.error_log)

    full_text.full_text = False
    full_text.save()
    document = etree.fromstring(client.get("/feed/atom/").content)
    assert schema.validate(document), schema.error_log


def test_rss_feed_has_its_required_channel_and_item_elements(mixed_items, client):
    response = client.get("/feed/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    rss = etree.fromstring(response.content)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    assert channel.findtext("title") == "Our organisation \u2013 Press Centre"
    assert channel.findtext("link") == "http://testserver/"
    assert channel.findtext("description")
    items = channel.findall("item")
    assert len(items) == 4
    release = items[-1]
    assert release.findtext("title") == "Release"
    assert release.findtext("link") == f"http://testserver{mixed_items[0].url}"
    assert release.findtext("guid") == release.findtext("link")
    assert parsedate_to_datetime(release.findtext("pubDate")) == mixed_items[0].published_at
    assert release.findtext("description") == mixed_items[0].excerpt
    assert [category.text for category in release.findall("category")] == ["Economy"]
    assert release.findtext("{http://purl.org/dc/elements/1.1/}creator") == "Nia Evans"


def test_json_feed_has_the_required_members(mixed_items, client):
    response = client.get("/feed/json/")

    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Our organisation \u2013 Press Centre"
    assert feed["home_page_url"] == "http://testserver/"
    assert feed["feed_url"] == "http://testserver/feed/json/"
    release = feed["items"][-1]
    assert release["id"] == release["url"] == f"http://testserver{mixed_items[0].url}"
    assert release["title"] == "Release"
    assert release["content_text"] == release["summary"] == mixed_items[0].excerpt
    assert "content_html" not in release
    assert datetime.fromisoformat(release["date_published"]) == mixed_items[0].published_at
    assert release["authors"] == [{"name": "Nia Evans"}]
    assert release["tags"] == ["Economy"]


@pytest.mark.parametrize("url", SITE_FEEDS)
def test_feeds_list_the_latest_items_newest_first(newsroom, client, url):
    base = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
    # Created out of order, so the feed must sort by publication time rather than by creation.
    for n in [*range(13, FEED_LENGTH + 5), *range(13)]:
        ArticleFactory(parent=newsroom, title=f"Article {n:02d}", published_at=base + timedelta(hours=n))

    listed = titles(client.get(url))

    assert listed == [f"Article {n:02d}" for n in range(FEED_LENGTH + 4, 4, -1)]


# Narrower feeds


@pytest.mark.parametrize(
    ("prefix", "query", "expected"),
    [
        ("/category/economy/", "", ["Appearance", "Release"]),
        ("/author/nia-evans/", "", ["Appearance", "Release"]),
        ("/", "?type=press-release", ["Release"]),
        ("/", "?type=report", ["Report"]),
        ("/", "?type=media-appearance", ["Appearance"]),
        ("/category/economy/", "?type=press-release", ["Release"]),
    ],
)
def test_narrower_feeds_list_only_their_category_person_or_type(mixed_items, client, prefix, query, expected):
    for url in formats(prefix):
        assert titles(client.get(url + query)) == expected, url


def test_narrower_feeds_name_what_they_narrow_to(mixed_items, client):
    channel = etree.fromstring(client.get("/category/economy/feed/").content).find("channel")
    assert channel.findtext("title") == "Our organisation \u2013 Press Centre \u2013 Economy"
    assert channel.findtext("link") == "http://testserver/category/economy/"

    feed = json.loads(client.get("/author/nia-evans/feed/json/").content)
    assert feed["home_page_url"] == "http://testserver/author/nia-evans/"
    assert feed["feed_url"] == "http://testserver/author/nia-evans/feed/json/"

    channel = etree.fromstring(client.get("/feed/?type=report").content).find("channel")
    assert channel.findtext("title").endswith("Reports")
    assert channel.findtext("link") == "http://testserver/?type=report"


@pytest.mark.parametrize(
    "url",
    [
        *formats("/category/no-such-topic/"),
        *formats("/author/no-such-person/"),
        *[f"{url}?type=podcast-episode" for url in SITE_FEEDS],
        "/category/economy/feed/?type=",
    ],
)
def test_an_unknown_category_person_or_type_is_a_404(mixed_items, client, url):
    assert client.get(url).status_code == 404


def test_feeds_are_a_404_when_the_site_root_is_not_a_press_centre(db, client):
    assert client.get("/feed/").status_code == 404


# Podcast


def test_podcast_feed_encloses_each_recording_with_its_byte_length_and_type(newsroom, client, fellow):
    video = recording("briefing.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 500)
    MediaAppearanceFactory(parent=newsroom, title="Radio interview", people=[fellow], recording=recording())
    MediaAppearanceFactory(parent=newsroom, title="TV briefing", recording=video)
    MediaAppearanceFactory(parent=newsroom, title="No recording", recording=None)
    ReportFactory(parent=newsroom, title="A report")

    response = client.get("/feed/podcast/")

    assert response.status_code == 200
    channel = etree.fromstring(response.content).find("channel")
    assert channel.findtext(f"{ITUNES}author") == "Our organisation"
    assert channel.findtext(f"{ITUNES}explicit") == "false"
    assert channel.find(f"{ITUNES}category").get("text") == "News"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["TV briefing", "Radio interview"]
    enclosures = [item.find("enclosure").attrib for item in items]
    assert enclosures[0] == {"url": f"http://testserver{video.url}", "length": "512", "type": "video/mp4"}
    assert enclosures[1]["length"] == str(len(AUDIO))
    assert enclosures[1]["type"] == "audio/mpeg"
    assert items[1].findtext(f"{ITUNES}author") == "Nia Evans"
    assert client.get(enclosures[1]["url"]).status_code == 200


def test_podcast_enclosure_length_falls_back_to_the_stored_file_size(newsroom, client):
    document = recording("old.m4a", b"x" * 777)
    type(document).objects.filter(pk=document.pk).update(file_size=None)
    MediaAppearanceFactory(parent=newsroom, title="Old upload", recording=document)

    enclosure = etree.fromstring(client.get("/feed/podcast/").content).find("channel/item/enclosure")

    assert enclosure.get("length") == "777"
    assert enclosure.get("type") == "audio/mp4"


# Conditional GET


@pytest.mark.parametrize("url", [*SITE_FEEDS, "/category/economy/feed/atom/", "/feed/podcast/"])
def test_an_unchanged_feed_answers_a_conditional_get_with_304(mixed_items, client, url):
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"]
    assert first["Last-Modified"]

    by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag.content == by_date.content == b""
    assert by_etag["ETag"] == first["ETag"]


def test_last_modified_is_the_newest_change_among_the_feeds_items(newsroom, client):
    older = ArticleFactory(parent=newsroom, published_at=datetime(2025, 1, 1, 9, 0, tzinfo=UTC))
    ArticleFactory(parent=newsroom, published_at=datetime(2025, 1, 2, 9, 0, tzinfo=UTC))
    type(older).objects.filter(pk=older.pk).update(last_published_at=datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC))

    response = client.get("/feed/")

    assert response["Last-Modified"] == "Tue, 04 Mar 2025 05:06:07 GMT"


def test_a_new_item_or_a_settings_change_makes_the_old_validators_stale(mixed_items, newsroom, client):
    first = client.get("/feed/")
    ArticleFactory(parent=newsroom, title="Breaking", published_at=datetime(2099, 1, 1, tzinfo=UTC))
    with time_machine.travel(datetime(2099, 1, 1, 0, 0, 1, tzinfo=UTC), tick=False):
        after_new_item = client.get("/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
        by_date = client.get("/feed/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert after_new_item.status_code == by_date.status_code == 200
    assert "Breaking" in titles(after_new_item)

    current = client.get("/feed/")
    feed_settings = SyndicationSettings.for_site(Site.objects.get(is_default_site=True))
    feed_settings.full_text = True
    feed_settings.save()
    assert client.get("/feed/", HTTP_IF_NONE_MATCH=current["ETag"]).status_code == 200


def test_unpublishing_an_item_makes_the_etag_stale(mixed_items, client):
    first = client.get("/feed/json/")
    mixed_items[1].unpublish()

    response = client.get("/feed/json/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert response.status_code == 200
    assert "Article" not in titles(response)


# Full text or summary


def test_feeds_carry_summaries_unless_the_site_chooses_full_text(newsroom, client):
    body = [{"type": "paragraph", "value": '<p>The whole <b>body</b> with <a href="/about/">a link</a>.</p>'}]
    ArticleFactory(parent=newsroom, title="Piece", summary="Just the summary.", body=body, original_url="")

    rss = etree.fromstring(client.get("/feed/").content).find("channel/item")
    atom = etree.fromstring(client.get("/feed/atom/").content).find(f"{ATOM}entry")
    item = json.loads(client.get("/feed/json/").content)["items"][0]
    assert rss.findtext("description") == "Just the summary."
    assert atom.findtext(f"{ATOM}summary") == "Just the summary."
    assert atom.find(f"{ATOM}content") is None
    assert item["content_text"] == "Just the summary."

    feed_settings = SyndicationSettings.for_site(Site.objects.get(is_default_site=True))
    feed_settings.full_text = True
    feed_settings.save()

    rss = etree.fromstring(client.get("/feed/").content).find("channel/item")
    atom = etree.fromstring(client.get("/feed/atom/").content).find(f"{ATOM}entry")
    item = json.loads(client.get("/feed/json/").content)["items"][0]
    for html in [rss.findtext("description"), atom.findtext(f"{ATOM}content"), item["content_html"]]:
        assert "The whole <b>body</b>" in html
        assert 'href="http://testserver/about/"' in html
    assert atom.find(f"{ATOM}content").get("type") == "html"
    assert atom.findtext(f"{ATOM}summary") == item["summary"] == "Just the summary."


def test_an_excerpt_only_article_stays_a_summary_in_full_text_feeds(newsroom, client, full_text):
    ArticleFactory(
        parent=newsroom,
        summary="Licensed excerpt.",
        body=[{"type": "paragraph", "value": "<p>Text we may not republish.</p>"}],
        rights=ArticlePage.Rights.EXCERPT,
        original_url="https://ledger.example.com/piece",
    )

    item = json.loads(client.get("/feed/json/").content)["items"][0]

    assert item["content_text"] == "Licensed excerpt."
    assert b"may not republish" not in client.get("/feed/").content


# Privacy


def test_feeds_name_people_but_never_carry_email_addresses(mixed_items, client, full_text):
    release = mixed_items[0]
    release.contact_links.create(contact=PressContactFactory(email="press.officer@example.org"))
    CommentFactory(item=release, status=Comment.Status.APPROVED, author_email="commenter@example.com")
    AccessLink.objects.create(item=release, name="A Journalist", email="journalist@example.net", outlet="Ledger")
    PressCentreSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"press_office_email": "office@example.org"}
    )

    for url in [*SITE_FEEDS, *formats("/author/nia-evans/"), "/feed/podcast/"]:
        body = client.get(url).content
        assert b"Nia Evans" in body, url
        assert b"@" not in body, url


# The embargo rule


EVERY_FEED = [
    *SITE_FEEDS,
    *formats("/category/economy/"),
    *formats("/author/nia-evans/"),
    *[f"{url}?type=media-appearance" for url in SITE_FEEDS],
    "/feed/podcast/",
]


@pytest.fixture
def embargoed_appearance(newsroom, topic, fellow):
    """An embargoed media appearance with a recording, filed with public neighbours under the same topic and fellow."""
    for n in range(2):
        MediaAppearanceFactory(
            parent=newsroom, title=f"Public {n}", categories=[topic], people=[fellow], recording=recording()
        )
    return MediaAppearanceFactory(
        parent=newsroom,
        title=f"Interview {MARKER}",
        summary=f"Summary {MARKER}",
        body=[{"type": "paragraph", "value": f"<p>Body {MARKER}</p>"}],
        categories=[topic],
        people=[fellow],
        recording=recording(),
        embargo_until=LIFT,
        published_at=LIFT,
    )


@pytest.mark.parametrize("url", EVERY_FEED)
def test_an_embargoed_item_is_in_no_feed_until_the_lift(embargoed_appearance, client, full_text, url):
    marker = MARKER.encode()

    with time_machine.travel(LIFT - timedelta(seconds=1), tick=False):
        before = client.get(url)
    with time_machine.travel(LIFT, tick=False):
        after = client.get(url)

    assert before.status_code == after.status_code == 200
    assert marker not in before.content
    assert b"Public 1" in before.content
    assert marker in after.content
    assert titles(after)[0] == f"Interview {MARKER}"


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/feed/json/", "/feed/podcast/"])
def test_a_reader_polling_with_validators_gets_the_item_at_the_lift(embargoed_appearance, client, url):
    # Published long before its lift, so only the lift instant itself can move Last-Modified past the poll.
    type(embargoed_appearance).objects.filter(pk=embargoed_appearance.pk).update(
        published_at=LIFT - timedelta(days=3), last_published_at=LIFT - timedelta(days=2)
    )
    with time_machine.travel(LIFT - timedelta(seconds=1), tick=False):
        before = client.get(url)

    with time_machine.travel(LIFT, tick=False):
        by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
        by_etag = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])

    assert by_date.status_code == by_etag.status_code == 200
    assert MARKER.encode() in by_date.content


def test_staff_get_the_same_public_feed(embargoed_appearance, client, editor):
    with time_machine.travel(LIFT - timedelta(hours=1), tick=False):
        client.force_login(editor)
        response = client.get("/feed/")

    assert MARKER.encode() not in response.content


# Query budget


@pytest.mark.parametrize("url", [*SITE_FEEDS, "/feed/podcast/"])
def test_a_feed_of_30_items_stays_within_a_fixed_query_budget(
    newsroom, client, full_text, topic, fellow, django_assert_max_num_queries, url
):
    other_topic = CategoryFactory(name="Health")
    other_fellow = PersonFactory()
    # Every type, releases without a summary (their excerpt starts from the lead), and all with recordings.
    factories = (
        [MediaAppearanceFactory]
        if url == "/feed/podcast/"
        else [PressReleaseFactory, ArticleFactory, ReportFactory, MediaAppearanceFactory]
    )
    for n in range(30):
        factory = factories[n % len(factories)]
        extra = {"recording": recording(f"episode-{n}.mp3", b"audio")} if factory is MediaAppearanceFactory else {}
        factory(
            parent=newsroom, title=f"Item {n}", categories=[topic, other_topic], people=[fellow, other_fellow], **extra
        )
    client.get(url)  # the settings rows are created on first use

    with django_assert_max_num_queries(13):
        response = client.get(url)

    assert len(titles(response)) == FEED_LENGTH


# Autodiscovery


def test_pages_advertise_the_site_feeds_and_archives_their_own(mixed_items, client):
    def alternates(url: str) -> set[tuple[str, str]]:
        soup = BeautifulSoup(client.get(url).content, "html.parser")
        return {(link["type"], link["href"]) for link in soup.select('head link[rel="alternate"]')}

    site_feeds = {
        ("application/rss+xml", "/feed/"),
        ("application/atom+xml", "/feed/atom/"),
        ("application/feed+json", "/feed/json/"),
        ("application/rss+xml", "/feed/podcast/"),
    }
    assert alternates("/") == site_feeds
    assert alternates(mixed_items[1].url) == site_feeds
    assert alternates("/category/economy/") == site_feeds | {
        ("application/rss+xml", "/category/economy/feed/"),
        ("application/atom+xml", "/category/economy/feed/atom/"),
        ("application/feed+json", "/category/economy/feed/json/"),
    }
    assert alternates("/author/nia-evans/") - site_feeds == {
        ("application/rss+xml", "/author/nia-evans/feed/"),
        ("application/atom+xml", "/author/nia-evans/feed/atom/"),
        ("application/feed+json", "/author/nia-evans/feed/json/"),
    }
    assert alternates("/?type=report") - site_feeds == {("application/rss+xml", "/feed/?type=report")}
    for _, href in alternates("/category/economy/") | alternates("/author/nia-evans/"):
        assert client.get(href).status_code == 200, href
