"""Every absolute URL the site writes starts with the one configured public base, whatever the Site record says
and whichever host the request came in on: feeds, sitemaps, robots.txt, page metadata, the API, journalists'
links, calendar files and emails."""

import html
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone
from icalendar import Calendar
from wagtail.documents import get_document_model
from wagtail.models import Site

from presscentre.comments.models import Comment
from presscentre.comments.moderation import notify_moderators_of_held_comment
from presscentre.comments.tests.factories import CommentFactory
from presscentre.distribution.release_email import compose_release_email
from presscentre.embargo.services import create_access_link, embargo_calendar, lift_embargo
from presscentre.newsroom.models import ReportDocument
from presscentre.newsroom.tests.factories import (
    CategoryFactory,
    ImageFactory,
    MediaAppearanceFactory,
    PersonFactory,
    PressReleaseFactory,
    ReportFactory,
)

BASE = "https://press.example.org"
LIFT = datetime(2031, 5, 23, 23, 1, tzinfo=UTC)
# URLs that name a standard rather than a place on this site (schema.org types, XML namespaces, JSON Feed).
STANDARDS = (
    "https://schema.org",
    "https://jsonfeed.org/version/",
    "http://www.w3.org/",
    "http://www.sitemaps.org/schemas/",
    "http://www.google.com/schemas/",
    "http://purl.org/",
    "http://www.itunes.com/dtds/",
    # Share links a reader may follow (nothing loads from them); the address they share is found separately.
    "https://www.linkedin.com/sharing/",
    "https://bsky.app/intent/",
)
# Up to a query's punctuation, so an address shared inside another's query string is found on its own.
_URL = re.compile(r"https?://[^\s\"'<>\\?&=]+")


def absolute_urls(body: bytes | str) -> list[str]:
    """The absolute URLs in a response, found after one unescape (feeds carry HTML escaped inside XML) and
    percent-decoding (share links carry the item's address in their query)."""
    text = body.decode() if isinstance(body, bytes) else body
    return [url for url in _URL.findall(unquote(html.unescape(text))) if not url.startswith(STANDARDS)]


def assert_on_the_base(body, where: str) -> list[str]:
    urls = absolute_urls(body)
    assert urls, f"{where} names no URL at all"
    strays = [url for url in urls if not url.startswith(f"{BASE}/")]
    assert strays == [], where
    text = body.decode() if isinstance(body, bytes) else body
    assert "testserver" not in text and "cms.internal" not in text, where
    return urls


@pytest.fixture
def elsewhere(newsroom, settings):
    """A public base that is neither the Site record's address nor the host the test client sends."""
    settings.PRESSCENTRE_PUBLIC_URL = BASE
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "cms.internal", 8080
    site.save()
    Site.clear_site_root_paths_cache()
    return newsroom


@pytest.fixture
def content(elsewhere, editor):
    economy = CategoryFactory(name="Economy", slug="economy")
    fellow = PersonFactory(name="Nia Evans", slug="nia-evans")
    chart = ImageFactory()
    release = PressReleaseFactory(
        parent=elsewhere,
        title="Budget release",
        slug="budget-release",
        published_at=timezone.now() - timedelta(hours=1),
        categories=[economy],
        people=[fellow],
        body=[
            {"type": "paragraph", "value": '<p>See <a href="/about/">who we are</a>.</p>'},
            {"type": "image", "value": {"image": chart.pk, "alt_text": "A chart", "caption": ""}},
        ],
    )
    recording = get_document_model()(title="Interview")
    recording.file.save("interview.mp3", ContentFile(b"ID3" + bytes(500)), save=False)
    recording.file_size = 503
    recording.save()
    MediaAppearanceFactory(parent=elsewhere, title="Radio interview", slug="radio-interview", recording=recording)
    report = ReportFactory(parent=elsewhere, title="Counting the cost", slug="counting-the-cost")
    pdf = get_document_model()(title="The full report")
    pdf.file.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    pdf.save()
    ReportDocument.objects.create(report=report, document=pdf)
    comment = CommentFactory(item=release, status=Comment.Status.APPROVED)
    embargoed = PressReleaseFactory(parent=elsewhere, title="Pay gap", slug="pay-gap", embargo_until=LIFT)
    return {"release": release, "report": report, "comment": comment, "embargoed": embargoed}


PUBLIC_SURFACES = {
    "/feed/": [f"{BASE}/", f"{BASE}/budget-release/", f"{BASE}/feed/", f"{BASE}/about/"],
    "/feed/atom/": [f"{BASE}/budget-release/", f"{BASE}/feed/atom/", f"{BASE}/about/"],
    "/feed/json/": [f"{BASE}/budget-release/", f"{BASE}/feed/json/", f"{BASE}/about/"],
    "/category/economy/feed/": [f"{BASE}/category/economy/", f"{BASE}/category/economy/feed/"],
    "/feed/podcast/": [f"{BASE}/radio-interview/"],
    "/comments/feed/": [f"{BASE}/", f"{BASE}/comments/feed/"],
    "/sitemap.xml": [f"{BASE}/sitemap-pages.xml", f"{BASE}/sitemap-items-0.xml"],
    "/sitemap-pages.xml": [f"{BASE}/", f"{BASE}/category/economy/", f"{BASE}/author/nia-evans/"],
    "/sitemap-items-0.xml": [f"{BASE}/budget-release/"],
    "/news-sitemap.xml": [f"{BASE}/budget-release/"],
    "/robots.txt": [f"{BASE}/sitemap.xml", f"{BASE}/news-sitemap.xml"],
    "/budget-release/": [f"{BASE}/budget-release/"],
    "/": [f"{BASE}/"],
    "/category/economy/": [f"{BASE}/category/economy/"],
    "/api/v2/pages/": [f"{BASE}/budget-release/", f"{BASE}/counting-the-cost/"],
}


@pytest.mark.parametrize("path", PUBLIC_SURFACES)
def test_every_public_surface_names_only_the_configured_base(content, client, path):
    response = client.get(path)

    assert response.status_code == 200
    urls = assert_on_the_base(response.content, path)
    for expected in PUBLIC_SURFACES[path]:
        assert expected in urls, (path, expected)


def test_feed_items_and_enclosures_carry_the_base_in_every_format(content, client):
    rss = BeautifulSoup(client.get("/feed/").content, "xml")
    atom = BeautifulSoup(client.get("/feed/atom/").content, "xml")
    feed = json.loads(client.get("/feed/json/").content)
    podcast = BeautifulSoup(client.get("/feed/podcast/").content, "xml")
    comment = content["comment"]

    assert rss.find("atom:link", rel="self")["href"] == f"{BASE}/feed/"
    release = next(item for item in rss.find_all("item") if item.title.text == "Budget release")
    assert release.link.text == release.guid.text == f"{BASE}/budget-release/"
    assert atom.find("link", rel="self")["href"] == f"{BASE}/feed/atom/"
    entry = next(entry for entry in atom.find_all("entry") if entry.title.text == "Budget release")
    assert entry.id.text == f"{BASE}/budget-release/"
    assert f'src="{BASE}/' in entry.content.text  # the chart's rendition
    item = next(item for item in feed["items"] if item["title"] == "Budget release")
    assert feed["home_page_url"] == f"{BASE}/" and feed["feed_url"] == f"{BASE}/feed/json/"
    assert item["id"] == item["url"] == f"{BASE}/budget-release/"
    assert podcast.find("enclosure")["url"].startswith(f"{BASE}/documents/")
    comments = BeautifulSoup(client.get("/comments/feed/").content, "xml")
    assert comments.find("item").link.text == f"{BASE}/budget-release/#comment-{comment.pk}"


def test_item_pages_give_canonical_social_and_structured_urls_on_the_base(content, client):
    soup = BeautifulSoup(client.get("/budget-release/").content, "html.parser")
    json_ld = json.loads(soup.find("script", type="application/ld+json").string)

    assert soup.find("link", rel="canonical")["href"] == f"{BASE}/budget-release/"
    assert soup.find("meta", property="og:url")["content"] == f"{BASE}/budget-release/"
    assert soup.find("meta", property="og:image")["content"].startswith(f"{BASE}/")
    assert json_ld["url"] == json_ld["mainEntityOfPage"] == f"{BASE}/budget-release/"
    assert json_ld["publisher"]["url"] == f"{BASE}/"


def test_the_api_gives_detail_html_parent_and_document_urls_on_the_base(content, client):
    report = content["report"]
    listing = {item["id"]: item for item in client.get("/api/v2/pages/").json()["items"]}
    detail = client.get(f"/api/v2/pages/{report.pk}/").json()

    assert listing[report.pk]["meta"]["html_url"] == f"{BASE}/counting-the-cost/"
    assert listing[report.pk]["meta"]["detail_url"] == f"{BASE}/api/v2/pages/{report.pk}/"
    assert detail["meta"]["parent"]["meta"]["html_url"] == f"{BASE}/"
    assert detail["meta"]["parent"]["meta"]["detail_url"].startswith(f"{BASE}/api/v2/pages/")
    assert detail["documents"][0]["url"].startswith(f"{BASE}/documents/")


def test_journalist_links_calendars_and_emails_use_the_base(content, editor, django_capture_on_commit_callbacks):
    embargoed, release = content["embargoed"], content["release"]
    now = timezone.now()

    link = create_access_link(embargoed, name="Ada", email="ada@example.net", outlet="Ledger", by=editor, at=now)
    event = Calendar.from_ical(embargo_calendar(embargoed)).walk("VEVENT")[0]
    email = compose_release_email(embargoed, at=now)

    assert link.get_full_url() == f"{BASE}/embargoed/{link.token}/"
    assert str(event["url"]) == f"{BASE}/pay-gap/"
    assert str(event["uid"]).endswith("@press.example.org")
    assert email.base_url == BASE
    assert email.public_url == f"{BASE}/pay-gap/"

    held = CommentFactory(item=release, status=Comment.Status.PENDING)
    assert notify_moderators_of_held_comment(held) is True
    with django_capture_on_commit_callbacks(execute=True):
        assert lift_embargo(embargoed, at=LIFT) is True

    held_email, lift_email = mail.outbox[-2:]
    assert f"Item: {BASE}/budget-release/" in held_email.body
    assert lift_email.subject == "Pay gap is live"
    for message in (held_email, lift_email):
        bodies = [message.body, *(part for part, _ in message.alternatives)]
        for body in bodies:
            # The moderation queue is in the admin, on the admin's own base; everything else is public.
            public = [url for url in absolute_urls(body) if "/admin/" not in url]
            assert public and all(url.startswith(f"{BASE}/") for url in public), body
    assert f"{BASE}/pay-gap/" in lift_email.body
