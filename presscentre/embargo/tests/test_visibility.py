"""The one visibility rule, tested on every public surface and across time zones and daylight saving."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.files.base import ContentFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.documents import get_document_model

from presscentre.embargo.services import can_download, can_view, public_items
from presscentre.newsroom.models import ItemCategory, ItemPerson, PressReleasePage, ReportDocument
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    PersonFactory,
    PressReleaseFactory,
    ReportFactory,
)

LIFT = datetime(2031, 5, 23, 23, 1, tzinfo=UTC)  # 00:01 BST on 24 May 2031
MARKER = "QX7-EMBARGO-MARKER"
SKIPPED_PREFIXES = ("/admin/", "/django-admin/", "/static/")


# Surfaces a reader's links do not lead to but machines read: feeds, sitemaps, search and the API.
MACHINE_SURFACES = [
    "/feed/",
    "/feed/atom/",
    "/feed/json/",
    "/feed/?type=report",
    "/feed/podcast/",
    "/category/economy/feed/",
    "/category/economy/feed/atom/",
    "/author/nia-evans/feed/json/",
    "/comments/feed/",
    "/sitemap.xml",
    "/news-sitemap.xml",
    "/robots.txt",
    "/search/?q=QX7+EMBARGO+MARKER",
    "/search/?q=launch",
    "/?s=launch",
    "/api/v2/pages/",
    "/api/v2/pages/?type=newsroom.ReportPage&fields=*",
]


def crawl(client, *starts: str) -> dict[str, tuple[int, bytes]]:
    """Every same-site URL reachable from `starts` by following links: the public surface as a reader sees it."""
    seen: dict[str, tuple[int, bytes]] = {}
    queue = list(starts or ["/"])
    while queue and len(seen) < 500:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        if response.streaming:
            body = b"".join(response.streaming_content)
        else:
            body = response.content
        seen[url] = (response.status_code, body)
        content_type = response.get("Content-Type", "")
        if "text/html" in content_type:
            targets = [link["href"] for link in BeautifulSoup(body, "html.parser").find_all("a", href=True)]
        elif "/sitemap" in url and content_type.startswith("application/xml"):
            # The sitemap index names its pages; crawlers follow them, and so does this walk.
            # (Their addresses are on the public base; the walk asks for their paths here.)
            locs = [urlsplit(loc.text).path for loc in BeautifulSoup(body, "xml").find_all("loc")]
            targets = [path for path in locs if path.startswith("/sitemap")]
        else:
            continue
        for href in targets:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc not in ("", "testserver", "localhost") or parts.path.startswith(SKIPPED_PREFIXES):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path not in seen:
                queue.append(path)
    return seen


@pytest.fixture
def embargoed_report(newsroom):
    """A report whose title, summary, body and PDF all carry the marker, filed under a shared category and person."""
    topic = CategoryFactory(name="Economy")
    author = PersonFactory(name="Nia Evans", slug="nia-evans")
    for n in range(3):
        neighbour = ArticleFactory(parent=newsroom, title=f"Public item {n}")
        ItemCategory.objects.create(item=neighbour, category=topic)
        ItemPerson.objects.create(item=neighbour, person=author)
    pdf = get_document_model()(title="The full report")
    pdf.file.save("report.pdf", ContentFile(f"%PDF-1.4\n% {MARKER}\n%%EOF\n".encode()), save=False)
    pdf.save()
    report = ReportFactory(
        parent=newsroom,
        title=f"Launch {MARKER}",
        slug="secret-launch",
        summary=f"Summary {MARKER}",
        body=[{"type": "paragraph", "value": f"<p>Body {MARKER}</p>"}],
        embargo_until=LIFT,
        published_at=LIFT,
    )
    ItemCategory.objects.create(item=report, category=topic)
    ItemPerson.objects.create(item=report, person=author)
    ReportDocument.objects.create(report=report, document=pdf)
    return report, pdf


def test_nothing_of_an_embargoed_item_reaches_any_public_surface_before_the_lift(embargoed_report, client):
    report, pdf = embargoed_report
    marker = MARKER.encode()

    with time_machine.travel(LIFT - timedelta(seconds=1), tick=False):
        before = crawl(client, "/", *MACHINE_SURFACES)
        direct = {url: client.get(url) for url in [report.url, pdf.url, f"{report.url}?page=1"]}

    # The walk reached the listing, its filters, the archives and the neighbours' pages.
    assert {"/", "/category/economy/", "/author/nia-evans/", "/?type=report"} <= set(before)
    assert len(before) >= 10
    leaks = [url for url, (_, body) in before.items() if marker in body or b"secret-launch" in body]
    assert leaks == []
    assert all(response.status_code == 404 for response in direct.values())

    with time_machine.travel(LIFT, tick=False):
        after = crawl(client, "/", *MACHINE_SURFACES)
        document = client.get(pdf.url)

    assert after[report.url][0] == 200
    for url in ["/", "/category/economy/", "/author/nia-evans/", "/?type=report", report.url, *MACHINE_SURFACES]:
        if url in ("/robots.txt", "/comments/feed/", "/?s=launch", "/feed/podcast/"):
            continue  # no item text there: robots, comments, a redirect, recordings only
        if url == "/sitemap.xml":  # a sitemap lists addresses only, in the pages its index names
            assert any(b"/secret-launch/" in body for page, (_, body) in after.items() if "/sitemap-items-" in page)
            continue
        assert marker in after[url][1], url
    assert document.status_code == 200
    assert marker in b"".join(document.streaming_content)


def test_the_embargoed_item_is_a_404_like_a_missing_page(embargoed_report, client):
    report, _ = embargoed_report

    with time_machine.travel(LIFT - timedelta(seconds=1), tick=False):
        hidden = client.get(report.url)
        missing = client.get("/no-such-item/")

    assert hidden.status_code == missing.status_code == 404
    assert re.sub(rb"\s+", b"", hidden.content) == re.sub(rb"\s+", b"", missing.content)


def test_staff_see_the_embargoed_item_with_a_banner_and_private_headers(embargoed_report, client, editor):
    report, pdf = embargoed_report

    with time_machine.travel(LIFT - timedelta(hours=1), tick=False):
        client.force_login(editor)  # inside the travel, or the session would have expired by 2031
        response = client.get(report.url)
        document = client.get(pdf.url)

    assert response.status_code == 200
    banner = BeautifulSoup(response.content, "html.parser").select_one(".embargo-banner").get_text(strip=True)
    assert banner == "EMBARGOED: not for publication until 00:01 BST, Saturday 24th May 2031"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert document.status_code == 200


def test_a_document_used_by_a_public_and_an_embargoed_item_stays_secret_until_the_lift(embargoed_report, newsroom):
    _, pdf = embargoed_report
    ArticleFactory(
        parent=newsroom, body=[{"type": "paragraph", "value": f'<p><a linktype="document" id="{pdf.pk}">PDF</a></p>'}]
    )

    assert not can_download(pdf, at=LIFT - timedelta(seconds=1))
    assert can_download(pdf, at=LIFT)


def test_a_document_linked_only_from_an_embargoed_body_is_secret(newsroom):
    pdf = get_document_model()(title="Linked")
    pdf.file.save("linked.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    pdf.save()
    PressReleaseFactory(
        parent=newsroom,
        embargo_until=LIFT,
        body=[{"type": "paragraph", "value": f'<p><a linktype="document" id="{pdf.pk}">the data</a></p>'}],
    )

    assert not can_download(pdf, at=LIFT - timedelta(seconds=1))
    assert can_download(pdf, at=LIFT)


ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham", "UTC"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lift=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)),
    offset=st.integers(min_value=-400 * 24 * 3600, max_value=400 * 24 * 3600),
    zone=st.sampled_from(ZONES),
)
def test_an_item_is_visible_exactly_when_its_instant_has_passed(newsroom, lift, offset, zone):
    lift = lift.replace(microsecond=0)
    at = lift + timedelta(seconds=offset)
    item = PressReleasePage(title="Property", embargo_until=lift, embargo_time_zone=zone, live=True)

    assert can_view(item, at=at) is (at >= lift)
    # The rule does not care which zone the embargo is displayed in: the same instant in any wall clock.
    assert can_view(item, at=at.astimezone(zoneinfo.ZoneInfo(zone))) is (at >= lift)


@pytest.mark.parametrize(
    ("zone", "lift"),
    [
        # Around the UK's spring-forward and fall-back hours, and a half-hour zone.
        ("Europe/London", datetime(2030, 3, 31, 1, 0, tzinfo=UTC)),
        ("Europe/London", datetime(2030, 10, 27, 0, 30, tzinfo=UTC)),
        ("Europe/London", datetime(2030, 10, 27, 1, 30, tzinfo=UTC)),
        ("Australia/Sydney", datetime(2030, 4, 6, 15, 30, tzinfo=UTC)),
        ("Asia/Kolkata", datetime(2030, 1, 1, 18, 31, tzinfo=UTC)),
    ],
)
def test_listing_agrees_with_the_object_check_on_both_sides_of_daylight_saving_changes(newsroom, zone, lift):
    release = PressReleaseFactory(parent=newsroom, embargo_until=lift, embargo_time_zone=zone)

    for at, expected in [(lift - timedelta(seconds=1), False), (lift, True)]:
        listed = public_items(at).filter(pk=release.pk).exists()
        assert listed is expected
        assert can_view(release, at=at) is expected


# What else the embargo must hide: names only the embargoed item uses, and files no public item uses yet.

SECRET_NAMES = [b"Project Heron", b"Heron plans in detail", b"Quill Heron", b"heron-unattached", b"heron-annex"]
SECRET_URLS = [
    "/category/project-heron/",
    "/category/project-heron/?page=1",
    "/category/project-heron/feed/",
    "/author/quill-heron/",
    "/author/quill-heron/feed/json/",
    "/search/?q=launch&category=project-heron",
    "/search/?q=launch&person=quill-heron",
]


@pytest.fixture
def names_and_files(embargoed_report, newsroom):
    """The report's own topic and author (used by no other item), a file uploaded but not attached, and a file
    linked only in an unpublished draft of a public item."""
    report, _ = embargoed_report
    topic = CategoryFactory(name="Project Heron", slug="project-heron", description="Heron plans in detail")
    author = PersonFactory(name="Quill Heron", slug="quill-heron")
    ItemCategory.objects.create(item=report, category=topic)
    ItemPerson.objects.create(item=report, person=author)
    files = []
    for name in ("heron-unattached.pdf", "heron-annex.pdf"):
        document = get_document_model()(title=name)
        document.file.save(name, ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        document.save()
        files.append(document)
    neighbour = ArticleFactory(parent=newsroom, title="Public neighbour")
    neighbour.body = [{"type": "paragraph", "value": f'<p><a linktype="document" id="{files[1].pk}">annex</a></p>'}]
    neighbour.save_revision()
    return files


def test_no_name_or_file_the_embargo_hides_reaches_any_public_surface_before_the_lift(names_and_files, client):
    file_urls = [document.url for document in names_and_files]

    with time_machine.travel(LIFT - timedelta(seconds=1), tick=False):
        before = crawl(client, "/", "/category/", "/author/", "/press-contacts/", *MACHINE_SURFACES)
        direct = {url: client.get(url).status_code for url in [*SECRET_URLS, *file_urls]}

    leaks = [(url, name) for url, (_, body) in before.items() for name in SECRET_NAMES if name in body]
    assert leaks == []
    assert direct == dict.fromkeys([*SECRET_URLS, *file_urls], 404)

    with time_machine.travel(LIFT, tick=False):
        after = {url: client.get(url) for url in [*SECRET_URLS, "/category/", "/author/", *file_urls]}

    assert all(after[url].status_code == 200 for url in SECRET_URLS)
    assert b"Project Heron" in after["/category/"].content and b"Quill Heron" in after["/author/"].content
    # Nobody public uses the two files, even after the lift.
    assert all(after[url].status_code == 404 for url in file_urls)
