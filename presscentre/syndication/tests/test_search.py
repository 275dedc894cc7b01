"""Search: what it finds (including words inside report PDFs), filters, highlighting, pages and hostile input."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.files.base import ContentFile
from django.core.management import call_command
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from wagtail.documents import get_document_model

from presscentre.core import models as core_models
from presscentre.newsroom.models import ReportDocument, ReportPage
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    PersonFactory,
    PressReleaseFactory,
    ReportFactory,
    paragraph_body,
)
from presscentre.syndication.search import SearchFilters, highlight, search_items, search_terms

LIFT = datetime(2031, 5, 23, 23, 1, tzinfo=UTC)

HOSTILE_QUERIES = [
    '"',
    '"unbalanced quote',
    "'; DROP TABLE wagtailcore_page; --",
    "budget AND",
    "OR",
    "NOT budget",
    "*",
    "budg*",
    "( ) -",
    "-budget",
    "title:budget",
    "{title body}: budget",
    "NEAR(budget energy, 2)",
    "\x00",
    "bud\x00get",
    "🙂📈",
    "budget 🙂",
    "ميزانية الأسر",
    "\u202ebudget\u202c",
    "%_\\",
    "a" * 1000,
    "budget " * 200,
]


def pdf_bytes(*paragraphs: str) -> bytes:
    """A real one-page PDF with `paragraphs` as its text, as the demo's report PDFs are made."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 12)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def pdf_document(*paragraphs: str, title: str = "The full report"):
    document = get_document_model()(title=title, file=ContentFile(pdf_bytes(*paragraphs), name="report.pdf"))
    document.save()
    return document


def attach(report: ReportPage, document) -> ReportPage:
    """Attach `document` to `report` and save the page, which is when Wagtail re-indexes it."""
    ReportDocument.objects.create(report=report, document=document)
    report.save()
    return report


def result_titles(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [heading.get_text() for heading in soup.select(".entry-title")]


def search(client, **params):
    return client.get("/search/", params)


# What it finds


@pytest.mark.parametrize(
    ("fields", "query"),
    [
        ({"title": "Quokkanomics of the regions"}, "quokkanomics"),
        ({"summary": "A note on marmalisation of budgets."}, "marmalisation"),
        ({"body": paragraph_body("The zibberflux index rose again.")}, "zibberflux"),
    ],
)
def test_search_finds_items_by_title_summary_and_body(newsroom, reader, fields, query):
    ArticleFactory(parent=newsroom, title="Unrelated item")
    item = ArticleFactory(parent=newsroom, **{"title": "Matching item", **fields})

    assert result_titles(search(reader, q=query)) == [item.title]


def test_search_finds_items_by_person_and_category_name(newsroom, reader):
    ArticleFactory(parent=newsroom, title="Unrelated item")
    by_person = ArticleFactory(parent=newsroom, title="Interview", people=[PersonFactory(name="Ottoline Quibbery")])
    in_category = ArticleFactory(parent=newsroom, title="Analysis", categories=[CategoryFactory(name="Vexillology")])
    for item in (by_person, in_category):
        item.save()  # links are added after the first save: index them as an editor's save would

    assert result_titles(search(reader, q="Quibbery")) == ["Interview"]
    assert result_titles(search(reader, q="vexillology")) == ["Analysis"]


def test_a_word_found_only_inside_an_attached_report_pdf_returns_the_report(newsroom, reader):
    ReportFactory(parent=newsroom, title="Another report")
    report = attach(
        ReportFactory(parent=newsroom, title="Counting the cost"),
        pdf_document("Chapter 3 measures the snorkelwhistle effect on rents."),
    )

    response = search(reader, q="snorkelwhistle")

    assert response.status_code == 200
    assert result_titles(response) == [report.title]


def test_uploading_a_damaged_pdf_keeps_the_document_with_empty_text(db):
    document = get_document_model()(title="Broken", file=ContentFile(b"%PDF-1.4\n% not really\n%%EOF\n", name="x.pdf"))
    with mock.patch.object(core_models.logger, "warning") as warning:
        document.save()

    assert document.pk is not None
    assert document.text == ""
    warning.assert_called_once()


def test_document_text_is_extracted_again_only_when_the_file_is_replaced(db):
    document = pdf_document("First edition wording.")
    assert "First edition" in document.text

    document.title = "Renamed"
    document.save()
    assert "First edition" in document.text

    document.file = ContentFile(pdf_bytes("Second edition wording."), name="report-v2.pdf")
    document.save()
    assert "Second edition" in document.text
    assert "First edition" not in document.text


def test_search_results_are_in_a_fixed_order_and_include_every_type(newsroom, reader):
    items = [
        factory(parent=newsroom, title=f"Heliotrope {factory.__name__}")
        for factory in (ArticleFactory, PressReleaseFactory, ReportFactory)
    ]

    assert sorted(result_titles(search(reader, q="heliotrope"))) == sorted(item.title for item in items)


# Filters


@pytest.fixture
def filtered(newsroom):
    topic = CategoryFactory(name="Housing", slug="housing")
    fellow = PersonFactory(name="Ada Fellow", slug="ada-fellow")
    items = {
        "article-2024": ArticleFactory(
            parent=newsroom, title="Tarragon article", published_at=datetime(2024, 6, 1, 9, tzinfo=UTC)
        ),
        "release-2023": PressReleaseFactory(
            parent=newsroom,
            title="Tarragon release",
            published_at=datetime(2023, 6, 1, 9, tzinfo=UTC),
            categories=[topic],
        ),
        "report-2024": ReportFactory(
            parent=newsroom,
            title="Tarragon report",
            published_at=datetime(2024, 3, 1, 9, tzinfo=UTC),
            people=[fellow],
        ),
    }
    return items


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Tarragon article", "Tarragon release", "Tarragon report"}),
        ({"type": "article"}, {"Tarragon article"}),
        ({"type": "report"}, {"Tarragon report"}),
        ({"category": "housing"}, {"Tarragon release"}),
        ({"person": "ada-fellow"}, {"Tarragon report"}),
        ({"year": "2024"}, {"Tarragon article", "Tarragon report"}),
        ({"year": "2023", "type": "press-release"}, {"Tarragon release"}),
        ({"year": "2022"}, set()),
    ],
)
def test_filters_narrow_the_results(filtered, reader, params, expected):
    response = search(reader, q="tarragon", **params)

    assert response.status_code == 200
    assert set(result_titles(response)) == expected


def test_years_follow_the_sites_time_zone(newsroom, reader):
    # 23:30 UTC on New Year's Eve is already the new year nowhere in London's winter, but 00:30 GMT is.
    ArticleFactory(parent=newsroom, title="Juniper at midnight", published_at=datetime(2024, 1, 1, 0, 30, tzinfo=UTC))

    assert result_titles(search(reader, q="juniper", year="2024")) == ["Juniper at midnight"]
    assert result_titles(search(reader, q="juniper", year="2023")) == []


@pytest.mark.parametrize(
    "params",
    [{"type": "podcast"}, {"category": "no-such"}, {"person": "nobody"}, {"year": "twenty"}, {"year": "0"}],
)
def test_an_unknown_filter_is_a_404(filtered, reader, params):
    assert search(reader, q="tarragon", **params).status_code == 404


# Highlighting


def test_matches_are_highlighted_in_title_and_excerpt(newsroom, reader):
    ArticleFactory(parent=newsroom, title="Saffron prices rise", summary="Why saffron costs more.")

    soup = BeautifulSoup(search(reader, q="saffron").content, "html.parser")

    assert [mark.get_text() for mark in soup.select(".entry-title mark")] == ["Saffron"]
    assert [mark.get_text() for mark in soup.select(".entry-excerpt mark")] == ["saffron"]


def test_highlighting_escapes_html_in_titles(newsroom, reader):
    ArticleFactory(parent=newsroom, title="<script>alert('cumin')</script> & cumin")

    response = search(reader, q="cumin")
    html = response.content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;<mark>cumin</mark>&#x27;)&lt;/script&gt; &amp; <mark>cumin</mark>" in html


def test_highlight_never_marks_inside_an_entity():
    assert highlight("Fish & chips", ["amp"]) == "Fish &amp; chips"
    assert highlight("<b>bold</b>", ["b"]) == "&lt;<mark>b</mark>&gt;<mark>bold</mark>&lt;/<mark>b</mark>&gt;"


def test_query_words_are_plain_words_only():
    assert search_terms('"net zero" AND (heat* -pumps)\x00 🙂') == ["net", "zero", "AND", "heat", "pumps"]
    assert search_terms("ميزانية الأسر") == ["ميزانية", "الأسر"]


# Pages


def test_results_are_paginated_by_twenty(newsroom, reader):
    for n in range(25):
        ArticleFactory(parent=newsroom, title=f"Cardamom {n}")

    first = search(reader, q="cardamom")
    second = search(reader, q="cardamom", page="2")

    assert len(result_titles(first)) == 20
    assert len(result_titles(second)) == 5
    assert b"25 results" in first.content
    assert 'href="?q=cardamom&amp;page=2"' in first.content.decode()


@pytest.mark.parametrize(("page", "status"), [("abc", 200), ("", 200), ("0", 404), ("-1", 404), ("3", 404)])
def test_bad_page_numbers_give_the_first_page_or_a_404(newsroom, reader, page, status):
    for n in range(25):
        ArticleFactory(parent=newsroom, title=f"Cardamom {n}")

    response = search(reader, q="cardamom", page=page)

    assert response.status_code == status
    if status == 200:
        assert len(result_titles(response)) == 20


def test_the_search_page_runs_a_bounded_number_of_queries(newsroom, reader, django_assert_max_num_queries):
    topic = CategoryFactory(name="Energy")
    for n in range(25):
        ArticleFactory(parent=newsroom, title=f"Fennel {n}", categories=[topic], comments_open=True)
    search(reader, q="fennel")  # warm the site and settings caches, as on a running site

    with django_assert_max_num_queries(20):
        response = search(reader, q="fennel")

    assert len(result_titles(response)) == 20


# Bad input


@pytest.mark.parametrize("query", ["", " ", *HOSTILE_QUERIES])
def test_empty_long_and_hostile_queries_get_a_normal_page(newsroom, reader, query):
    ArticleFactory(parent=newsroom, title="Household budget pressures")

    response = search(reader, q=query)

    assert response.status_code == 200
    assert b'role="search"' in response.content


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_with_filters_get_a_normal_page(filtered, reader, query):
    assert search(reader, q=query, type="report", year="2024").status_code == 200


def test_search_page_has_a_labelled_search_form(newsroom, reader):
    soup = BeautifulSoup(search(reader, q="anything").content, "html.parser")
    form = soup.select_one("main form[role=search]")  # the header's own search box is on every page too

    field = form.find("input", attrs={"name": "q"})
    assert form.find("label", attrs={"for": field["id"]}) is not None
    assert field["value"] == "anything"


# WordPress's search URL


def test_wordpress_search_url_redirects_to_the_search_page(newsroom, reader):
    response = reader.get("/", {"s": "net zero", "type": "report"})

    assert response.status_code == 301
    assert response["Location"] == "/search/?q=net+zero&type=report"


def test_wordpress_search_url_leads_to_results(newsroom, reader):
    ArticleFactory(parent=newsroom, title="Paprika on the rise")

    response = reader.get("/?s=paprika", follow=True)

    assert result_titles(response) == ["Paprika on the rise"]


def test_the_home_page_without_s_is_not_redirected(newsroom, reader):
    assert reader.get("/").status_code == 200


# The one visibility rule


def test_embargoed_report_and_its_pdf_are_found_exactly_when_the_embargo_lifts(newsroom, reader):
    ArticleFactory(parent=newsroom, title="Public neighbour")
    report = attach(
        ReportFactory(
            parent=newsroom,
            title="Launch of Quillbramble",
            summary="Quillbramble in brief.",
            embargo_until=LIFT,
            published_at=LIFT,
        ),
        pdf_document("Only the PDF says wobbleglint."),
    )

    for word in ("quillbramble", "wobbleglint"):
        assert search_items(word, at=LIFT - timedelta(seconds=1), filters=SearchFilters()).item_ids == []
        assert search_items(word, at=LIFT, filters=SearchFilters()).item_ids == [report.pk]
        with time_machine.travel(LIFT - timedelta(seconds=1), tick=False):
            before = search(reader, q=word)
        with time_machine.travel(LIFT, tick=False):
            at_lift = search(reader, q=word)
        assert result_titles(before) == []
        assert b"Quillbramble" not in before.content
        assert result_titles(at_lift) == [report.title]


def test_unpublished_and_private_items_are_never_found(newsroom, reader):
    from wagtail.models import PageViewRestriction

    draft = ArticleFactory(parent=newsroom, title="Draft nutmeg")
    draft.unpublish()
    private = ArticleFactory(parent=newsroom, title="Private nutmeg")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")

    assert result_titles(search(reader, q="nutmeg")) == []


# The demo


def test_a_word_only_in_the_demo_reports_pdf_finds_the_report(db, reader):
    call_command("load_demo_data", stdout=None)
    report = ReportPage.objects.get(title="New report sets out a ten-year plan to end cold homes")
    assert "Demonstration" in report.document_text()

    titles = result_titles(search(reader, q="demonstration"))

    assert report.title in titles
    # The word is in the PDFs' small print and nowhere else, so only reports with a PDF are found.
    assert set(titles) <= {page.title for page in ReportPage.objects.filter(document_links__isnull=False)}
