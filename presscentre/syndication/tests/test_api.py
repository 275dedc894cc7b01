from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import PageViewRestriction

from presscentre.core.urls_public import public_url
from presscentre.embargo.services import create_access_link
from presscentre.newsroom.models import ReleaseContact, ReportDocument
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    MediaAppearanceFactory,
    PersonFactory,
    PressContactFactory,
    PressReleaseFactory,
    ReportFactory,
)

LIFT = datetime(2031, 5, 23, 23, 1, tzinfo=UTC)
MARKER = "QX7-EMBARGO-MARKER"
PAGES = "/api/v2/pages/"


def listed(client, query: str = "") -> dict[int, dict]:
    response = client.get(f"{PAGES}{query}")
    assert response.status_code == 200, response.content
    return {item["id"]: item for item in response.json()["items"]}


@pytest.fixture
def report_with_pdf(newsroom):
    pdf = get_document_model()(title="The full report")
    pdf.file.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    pdf.save()
    report = ReportFactory(
        parent=newsroom,
        title="Counting the Cost",
        summary="The poorest pay most.",
        categories=[CategoryFactory(name="Economy")],
        people=[PersonFactory(name="Nia Evans", slug="nia-evans", role="Senior Fellow")],
    )
    ReportDocument.objects.create(report=report, document=pdf)
    return report, pdf


def test_pages_lists_the_public_items_and_the_index_only(newsroom, client):
    public = [
        PressReleaseFactory(parent=newsroom),
        ArticleFactory(parent=newsroom),
        MediaAppearanceFactory(parent=newsroom),
    ]
    draft = PressReleaseFactory(parent=newsroom, live=False)
    embargoed = PressReleaseFactory(parent=newsroom, embargo_until=datetime.now(UTC) + timedelta(days=1))
    private = PressReleaseFactory(parent=newsroom)
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")

    items = listed(client)

    assert set(items) == {newsroom.pk, *(item.pk for item in public)}
    assert draft.pk not in items and embargoed.pk not in items and private.pk not in items
    assert items[public[0].pk]["meta"]["type"] == "newsroom.PressReleasePage"
    assert items[public[0].pk]["meta"]["html_url"] == public_url(f"/{public[0].slug}/")


def test_report_detail_exposes_its_structured_fields_and_document_urls(report_with_pdf, client):
    report, pdf = report_with_pdf

    data = client.get(f"{PAGES}{report.pk}/").json()

    assert data["title"] == "Counting the Cost"
    assert data["item_type"] == "Report"
    assert datetime.fromisoformat(data["published_at"]) == report.published_at
    assert data["summary"] == "The poorest pay most."
    assert data["excerpt"] == "The poorest pay most."
    assert data["categories"] == [{"name": "Economy", "slug": "economy"}]
    assert data["people"] == [{"name": "Nia Evans", "slug": "nia-evans", "role": "Senior Fellow"}]
    assert data["report_title"] == "Counting the Cost"
    assert data["documents"] == [{"title": "The full report", "url": public_url(pdf.url), "file_size": pdf.file_size}]


def test_listing_by_type_returns_the_fields_asked_for(report_with_pdf, newsroom, client):
    report, _ = report_with_pdf
    PressReleaseFactory(parent=newsroom)

    items = listed(client, "?type=newsroom.NewsItemPage&fields=published_at,summary,categories,people")
    reports = listed(client, "?type=newsroom.ReportPage&fields=documents")

    assert len(items) == 2
    assert items[report.pk]["people"][0]["name"] == "Nia Evans"
    assert items[report.pk]["categories"][0]["slug"] == "economy"
    assert list(reports) == [report.pk]
    assert reports[report.pk]["documents"][0]["title"] == "The full report"


def test_press_release_fields_leave_out_contacts_and_embargo_internals(newsroom, client):
    release = PressReleaseFactory(parent=newsroom, embargo_until=datetime(2024, 1, 1, tzinfo=UTC))
    ReleaseContact.objects.create(release=release, contact=PressContactFactory(email="press@example.org"))
    type(release).objects.filter(pk=release.pk).update(embargo_lifted_at=datetime(2024, 1, 1, tzinfo=UTC))

    response = client.get(f"{PAGES}{release.pk}/")
    everything = client.get(f"{PAGES}?type=newsroom.PressReleasePage&fields=*")

    assert response.status_code == 200
    assert response.json()["lead"] == release.lead
    for body in (response.content.decode(), everything.content.decode()):
        assert "@" not in body
        assert "token" not in body
        assert "embargo" not in body
        assert "comment" not in body


@pytest.mark.parametrize("field", ["embargo_until", "embargo_lifted_at", "comments_open", "contact_links", "owner"])
def test_private_fields_cannot_be_requested(newsroom, client, field):
    PressReleaseFactory(parent=newsroom)

    response = client.get(f"{PAGES}?type=newsroom.PressReleasePage&fields={field}")

    assert response.status_code == 400


def test_no_private_field_in_any_response(report_with_pdf, newsroom, client, editor):
    from presscentre.comments.models import Comment
    from presscentre.comments.tests.factories import CommentFactory

    report, _ = report_with_pdf
    CommentFactory(item=report, status=Comment.Status.APPROVED, author_email="commenter@example.net")
    embargoed = PressReleaseFactory(parent=newsroom, embargo_until=LIFT)
    now = datetime(2031, 1, 1, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        link = create_access_link(
            embargoed, name="Reporter", email="reporter@example.org", outlet="Ledger", by=editor, at=now
        )
        urls = [
            PAGES,
            f"{PAGES}?fields=*",
            f"{PAGES}?type=newsroom.NewsItemPage&fields=*",
            f"{PAGES}?type=newsroom.ReportPage&fields=*",
            f"{PAGES}{report.pk}/",
            f"{PAGES}{newsroom.pk}/",
        ]
        bodies = [client.get(url).content.decode() for url in urls]

    for url, body in zip(urls, bodies, strict=True):
        assert "@" not in body, url
        assert "token" not in body.lower(), url
        assert link.token not in body, url
        assert "embargo_lifted" not in body, url
        assert "embargo_until" not in body, url
        assert "192.0.2.10" not in body, url  # the commenter's IP


def test_detail_is_a_404_for_drafts_embargoed_items_and_non_items(newsroom, client, editor):
    draft = PressReleaseFactory(parent=newsroom, live=False)
    embargoed = PressReleaseFactory(parent=newsroom, embargo_until=datetime.now(UTC) + timedelta(days=1))
    root = newsroom.get_parent()

    client.force_login(editor)  # staff see embargoed pages on the site, never through the API
    for page in (draft, embargoed, root):
        assert client.get(f"{PAGES}{page.pk}/").status_code == 404
    assert client.get(f"{PAGES}find/?html_path=/{embargoed.slug}/").status_code == 404
    assert embargoed.pk not in listed(client, f"?child_of={newsroom.pk}")
    assert embargoed.pk not in listed(client, f"?search={embargoed.title}")


@pytest.mark.parametrize("surface", ["list", "typed list", "detail", "find", "children"])
def test_embargoed_item_enters_the_api_exactly_at_the_lift(newsroom, client, surface):
    ArticleFactory(parent=newsroom, title="Public neighbour")
    release = PressReleaseFactory(
        parent=newsroom, title=f"Launch {MARKER}", summary=f"Summary {MARKER}", slug="launch", embargo_until=LIFT
    )
    url = {
        "list": PAGES,
        "typed list": f"{PAGES}?type=newsroom.NewsItemPage&fields=summary",
        "detail": f"{PAGES}{release.pk}/",
        "find": f"{PAGES}find/?html_path=/launch/",
        "children": f"{PAGES}?child_of={newsroom.pk}",
    }[surface]

    with time_machine.travel(LIFT - timedelta(seconds=1), tick=False):
        before = client.get(url, follow=True)
    with time_machine.travel(LIFT, tick=False):
        after = client.get(url, follow=True)

    assert MARKER not in before.content.decode()
    assert after.status_code == 200
    assert MARKER in after.content.decode()
    if surface in ("detail", "find"):
        assert before.status_code == 404


def test_api_listing_queries_stay_bounded_with_thirty_items(newsroom, client, django_assert_max_num_queries):
    topics = [CategoryFactory(name=f"Topic {n}") for n in range(3)]
    people = [PersonFactory() for _ in range(3)]
    for n in range(30):
        PressReleaseFactory(parent=newsroom, categories=[topics[n % 3]], people=[people[n % 3]])

    # Wagtail's page size is at most 20: the thirty items fill a full page and part of a second.
    with django_assert_max_num_queries(10):
        first = listed(client, "?limit=20")
    with django_assert_max_num_queries(10):
        second = listed(client, "?limit=20&offset=20")
    with django_assert_max_num_queries(10):
        typed = listed(client, "?type=newsroom.NewsItemPage&fields=published_at,summary,categories,people&limit=20")

    assert len(first) == 20
    assert len(second) == 11
    assert len(typed) == 20
