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
from presscentre.core.urls_public import public_url
from presscentre.embargo.models import AccessLink
from presscentre.newsroom.models import ArticlePage, PressCentreSettings
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ImageFactory,
    MediaAppearanceFactory,
    PersonFactory,
    PressContactFactory,
    PressReleaseFactory,
    ReportFactory,
)
from presscentre.syndication import feeds
from presscentre.syndication.feeds import FEED_LENGTH
from presscentre.syndication.models import SyndicationSettings

ATOM = "{http://www.w3.org/2005/Atom}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
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
    assert channel.findtext("link") == public_url("/")
    assert channel.findtext("description")
    items = channel.findall("item")
    assert len(items) == 4
    release = items[-1]
    assert release.findtext("title") == "Release"
    assert release.findtext("link") == public_url(mixed_items[0].url)
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
    assert feed["home_page_url"] == public_url("/")
    assert feed["feed_url"] == public_url("/feed/json/")
    release = feed["items"][-1]
    assert release["id"] == release["url"] == public_url(mixed_items[0].url)
    assert release["title"] == "Release"
    assert release["summary"] == mixed_items[0].excerpt
    assert "content_text" not in release and "FOR IMMEDIATE RELEASE" in release["content_html"]
    article = feed["items"][-2]
    assert article["content_text"] == article["summary"] == mixed_items[1].excerpt
    assert "content_html" not in article
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
    assert channel.findtext("link") == public_url("/category/economy/")

    feed = json.loads(client.get("/author/nia-evans/feed/json/").content)
    assert feed["home_page_url"] == public_url("/author/nia-evans/")
    assert feed["feed_url"] == public_url("/author/nia-evans/feed/json/")

    channel = etree.fromstring(client.get("/feed/?type=report").content).find("channel")
    assert channel.findtext("title").endswith("Reports")
    assert channel.findtext("link") == public_url("/?type=report")


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
    assert enclosures[0] == {"url": public_url(video.url), "length": "512", "type": "video/mp4"}
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


def test_the_podcast_feed_names_its_owners_email_and_a_square_cover_from_the_site_settings(newsroom, client):
    MediaAppearanceFactory(parent=newsroom, title="Radio interview", recording=recording())
    social = ImageFactory(file__width=1600, file__height=900)
    PressCentreSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"press_office_email": "office@example.org", "default_social_image": social},
    )

    channel = etree.fromstring(client.get("/feed/podcast/").content).find("channel")

    assert channel.findtext(f"{ITUNES}owner/{ITUNES}name") == "Our organisation"
    assert channel.findtext(f"{ITUNES}owner/{ITUNES}email") == "office@example.org"
    cover = social.get_rendition(feeds.PODCAST_IMAGE_FILTER)
    assert channel.find(f"{ITUNES}image").get("href") == public_url(cover.url)
    assert cover.width == cover.height == 900
    assert cover.url.endswith(".jpg")


def test_changing_the_podcasts_owner_or_cover_makes_the_old_validators_stale(newsroom, client):
    MediaAppearanceFactory(parent=newsroom, title="Radio interview", recording=recording())
    first = client.get("/feed/podcast/")

    PressCentreSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"press_office_email": "office@example.org"}
    )
    changed = client.get("/feed/podcast/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert changed.status_code == 200
    assert b"office@example.org" in changed.content


def test_a_podcast_without_settings_names_the_sites_sender_and_the_press_centres_own_icon(newsroom, client, settings):
    settings.DEFAULT_FROM_EMAIL = "Press Office <press@example.net>"
    MediaAppearanceFactory(parent=newsroom, title="Radio interview", recording=recording())

    channel = etree.fromstring(client.get("/feed/podcast/").content).find("channel")

    assert channel.findtext(f"{ITUNES}owner/{ITUNES}email") == "press@example.net"
    icon = channel.find(f"{ITUNES}image").get("href")
    assert icon.startswith(public_url("/")) and icon.endswith(".png")


def test_an_item_with_no_text_has_no_empty_summary_in_any_feed(newsroom, client):
    ArticleFactory(parent=newsroom, title="Wordless", summary="", body=[], original_url="")

    document = etree.fromstring(client.get("/feed/atom/").content)
    if ATOM_SCHEMA.exists():
        schema = etree.RelaxNG(etree.parse(str(ATOM_SCHEMA)))
        assert schema.validate(document), schema.error_log
    atom = document.find(f"{ATOM}entry")
    rss = etree.fromstring(client.get("/feed/").content).find("channel/item")
    item = json.loads(client.get("/feed/json/").content)["items"][0]

    assert atom.findtext(f"{ATOM}title") == rss.findtext("title") == item["title"] == "Wordless"
    assert atom.find(f"{ATOM}summary") is None
    assert rss.find("description") is None
    assert "summary" not in item and item["content_text"] == ""


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
    assert rss.find(f"{CONTENT}encoded") is None
    assert atom.findtext(f"{ATOM}summary") == "Just the summary."
    assert atom.find(f"{ATOM}content") is None
    assert item["content_text"] == "Just the summary."

    feed_settings = SyndicationSettings.for_site(Site.objects.get(is_default_site=True))
    feed_settings.full_text = True
    feed_settings.save()

    rss = etree.fromstring(client.get("/feed/").content).find("channel/item")
    atom = etree.fromstring(client.get("/feed/atom/").content).find(f"{ATOM}entry")
    item = json.loads(client.get("/feed/json/").content)["items"][0]
    for html in [rss.findtext(f"{CONTENT}encoded"), atom.findtext(f"{ATOM}content"), item["content_html"]]:
        assert "The whole <b>body</b>" in html
        assert f'href="{public_url("/about/")}"' in html
    assert atom.find(f"{ATOM}content").get("type") == "html"
    assert rss.findtext("description") == atom.findtext(f"{ATOM}summary") == item["summary"] == "Just the summary."


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
        if url == "/feed/podcast/":
            # Podcast directories write to the show's owner: the press office's address, and no one else's.
            body = body.replace(b"<itunes:email>office@example.org</itunes:email>", b"", 1)
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


def site_feed_settings() -> SyndicationSettings:
    return SyndicationSettings.for_site(Site.objects.get(is_default_site=True))


def item_contents(client, title: str) -> dict[str, str | None]:
    """The whole-text field of the item called `title` in each format, as a feed reader reads it (None if absent)."""
    rss = etree.fromstring(client.get("/feed/").content)
    atom = etree.fromstring(client.get("/feed/atom/").content)
    feed = json.loads(client.get("/feed/json/").content)
    rss_item = next(item for item in rss.iter("item") if item.findtext("title") == title)
    atom_entry = next(entry for entry in atom.iter(f"{ATOM}entry") if entry.findtext(f"{ATOM}title") == title)
    json_item = next(item for item in feed["items"] if item["title"] == title)
    return {
        "rss": rss_item.findtext(f"{CONTENT}encoded"),
        "atom": atom_entry.findtext(f"{ATOM}content"),
        "json": json_item.get("content_html"),
    }


def test_feed_settings_default_to_whole_releases_and_summaries_of_everything_else(newsroom):
    feed_settings = site_feed_settings()

    assert feed_settings.release_full_text is True
    assert feed_settings.full_text is False


def test_a_release_goes_whole_into_the_feeds_by_default_while_other_types_keep_their_summary(newsroom, client):
    release = PressReleaseFactory(
        parent=newsroom,
        title="Budget release",
        summary="The short version.",
        lead="The lead says who, what and when.",
        body=[{"type": "paragraph", "value": '<p>The body, with <a href="/about/">a link</a>.</p>'}],
        notes_to_editors="<p>The survey covered 2,000 households.</p>",
        published_at=datetime(2031, 5, 24, 9, 0, tzinfo=UTC),
    )
    ArticleFactory(parent=newsroom, title="Comment piece", summary="Article summary.", original_url="")
    dateline = release.dateline(PressCentreSettings.for_site(newsroom.get_site()).zone)

    for name, html in item_contents(client, "Budget release").items():
        text = BeautifulSoup(html, "html.parser").get_text(" ")
        parts = [
            release.release_line(),
            dateline,
            "The lead says who, what and when.",
            "The body, with a link .",
            "ENDS",
            "Notes to editors",
            "The survey covered 2,000 households.",
        ]
        positions = [" ".join(text.split()).find(part) for part in parts]
        assert -1 not in positions and positions == sorted(positions), (name, text)
        assert f'href="{public_url("/about/")}"' in html, name
    assert item_contents(client, "Comment piece") == {"rss": None, "atom": None, "json": None}
    article = next(
        item for item in json.loads(client.get("/feed/json/").content)["items"] if item["title"] == "Comment piece"
    )
    assert article["content_text"] == article["summary"] == "Article summary."

    feed_settings = site_feed_settings()
    feed_settings.release_full_text = False
    feed_settings.save()

    assert item_contents(client, "Budget release") == {"rss": None, "atom": None, "json": None}
    rss_items = etree.fromstring(client.get("/feed/").content).iter("item")
    assert next(item for item in rss_items if item.findtext("title") == "Budget release").findtext("description") == (
        "The short version."
    )


def test_a_whole_release_in_a_feed_reads_as_published_after_its_lift(newsroom, client):
    PressReleaseFactory(parent=newsroom, title="Lifted", embargo_until=LIFT, published_at=LIFT)

    with time_machine.travel(LIFT + timedelta(minutes=5), tick=False):
        contents = item_contents(client, "Lifted")

    for name, html in contents.items():
        release_line = BeautifulSoup(html, "html.parser").p.get_text()
        assert release_line.startswith("Published 00:01 BST"), name
        assert "EMBARGOED" not in html, name


# HTML-typed fields: escaped or sanitised exactly once

SCRIPT_AS_TEXT = "&lt;script&gt;alert(1)&lt;/script&gt;"  # how a paragraph about a script tag is stored
SVG_SUMMARY = "Use <svg onload=alert(1)> carefully"
HOSTILE_BODY = [
    {"type": "paragraph", "value": f"<p>Before {SCRIPT_AS_TEXT} after.</p>"},
    # Markup no editor can type, as if it reached the database some other way: sanitised, never passed on.
    {
        "type": "paragraph",
        "value": '<p onclick="steal()">Live <script>alert(2)</script><img src="/x.png" onerror="alert(3)"></p>',
    },
]


def assert_inert(markup: str, where: str) -> BeautifulSoup:
    """Parse a field's HTML as a feed reader would: no script or svg element, no on* attribute."""
    soup = BeautifulSoup(markup, "html.parser")
    assert soup.find_all(["script", "svg"]) == [], where
    handlers = [
        attribute for tag in soup.find_all(True) for attribute in tag.attrs if attribute.lower().startswith("on")
    ]
    assert handlers == [], where
    return soup


def hostile_feed_fields(client) -> tuple[dict[str, str], dict[str, str]]:
    """(HTML-typed fields, plain-text fields) of the single item, each unescaped once by its own format's parser."""
    rss = etree.fromstring(client.get("/feed/").content).find("channel/item")
    atom = etree.fromstring(client.get("/feed/atom/").content).find(f"{ATOM}entry")
    item = json.loads(client.get("/feed/json/").content)["items"][0]
    html_fields = {
        "rss description": rss.findtext("description"),
        "rss content:encoded": rss.findtext(f"{CONTENT}encoded"),
        "atom summary": atom.findtext(f"{ATOM}summary"),
        "atom content": atom.findtext(f"{ATOM}content"),
        "json content_html": item.get("content_html"),
    }
    assert atom.find(f"{ATOM}summary").get("type") == "html"
    text_fields = {"json summary": item["summary"], "json content_text": item.get("content_text")}
    return (
        {name: value for name, value in html_fields.items() if value is not None},
        {name: value for name, value in text_fields.items() if value is not None},
    )


@pytest.mark.parametrize("whole", [True, False], ids=["full text", "summaries"])
@pytest.mark.parametrize("factory", [PressReleaseFactory, ArticleFactory], ids=["release", "article"])
def test_markup_in_a_summary_or_body_reaches_feed_readers_as_text_never_as_an_element(newsroom, client, whole, factory):
    feed_settings = site_feed_settings()
    feed_settings.full_text = feed_settings.release_full_text = whole
    feed_settings.save()
    extra = {"original_url": ""} if factory is ArticleFactory else {"lead": f"Lead: {SVG_SUMMARY}"}
    factory(parent=newsroom, title="Careful", summary=SVG_SUMMARY, body=HOSTILE_BODY, **extra)

    html_fields, text_fields = hostile_feed_fields(client)

    summaries = {"rss description", "atom summary"}
    assert set(html_fields) == (
        summaries | {"rss content:encoded", "atom content", "json content_html"} if whole else summaries
    )
    for name, markup in html_fields.items():
        text = " ".join(assert_inert(markup, name).get_text(" ").split())
        assert "alert(2)" not in text and "steal()" not in markup and "onerror" not in markup, name
        if name in summaries:
            assert text == SVG_SUMMARY, name
        else:
            assert "Before <script>alert(1)</script> after." in text, name
            assert "&lt;" not in text and "&amp;" not in markup, name
            if factory is PressReleaseFactory:
                assert f"Lead: {SVG_SUMMARY}" in text, name
    # JSON Feed's summary and content_text are plain text: the words as written, for the reader to show as text.
    assert text_fields["json summary"] == SVG_SUMMARY
    if not whole:
        assert text_fields["json content_text"] == SVG_SUMMARY
