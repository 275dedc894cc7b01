"""A reader browses the press centre: the index, the type filter, each item type, the recording, the report."""

import re

import pytest
from django.utils import timezone

from presscentre.e2e.pages import check_page

pytestmark = pytest.mark.browser

TYPES = [
    ("press-release", "Press Releases"),
    ("article", "Articles"),
    ("report", "Reports"),
    ("media-appearance", "Media Appearances"),
]


def test_the_index_lists_the_newest_items_and_passes_axe(live_site, reader_page, settings):
    from presscentre.embargo.services import public_items

    reader_page.goto("/")

    assert reader_page.get_by_role("heading", level=1).inner_text() == "Press Centre"
    newest = public_items(timezone.now()).count()
    assert reader_page.locator("article.entry").count() == min(newest, settings.PRESSCENTRE_ITEMS_PER_PAGE)
    check_page(reader_page, "index")


@pytest.mark.parametrize(("slug", "label"), TYPES)
def test_filtering_by_type_shows_only_that_type_and_its_items_pass_axe(live_site, reader_page, slug, label):
    reader_page.goto("/")
    reader_page.get_by_role("navigation", name="Filter by type").get_by_role("link", name=label).click()

    reader_page.wait_for_url(f"**/?type={slug}")
    assert reader_page.get_by_role("heading", level=1).inner_text() == label
    entries = reader_page.locator("article.entry")
    assert entries.count() >= 1
    assert entries.count() == reader_page.locator(f"article.entry--{slug}").count()
    check_page(reader_page, f"index-{slug}")

    entries.first.get_by_role("link").first.click()
    reader_page.wait_for_load_state()
    assert re.search(r"/[\w-]+/$", reader_page.url)
    check_page(reader_page, f"item-{slug}")


def test_the_recording_of_a_media_appearance_loads_and_plays(live_site, reader_page):
    from presscentre.embargo.services import public_items
    from presscentre.newsroom.models import MediaAppearancePage

    appearance = (
        public_items(timezone.now())
        .of_type(MediaAppearancePage)
        .exclude(mediaappearancepage__recording=None)
        .specific()
        .first()
    )
    reader_page.goto(appearance.url)
    audio = reader_page.locator("figure.recording audio")
    audio.wait_for()

    reader_page.wait_for_function("() => document.querySelector('figure.recording audio').readyState >= 1")
    assert reader_page.evaluate("() => document.querySelector('figure.recording audio').duration") > 1
    reader_page.evaluate("() => document.querySelector('figure.recording audio').play()")
    reader_page.wait_for_function("() => document.querySelector('figure.recording audio').currentTime > 0.2")
    assert reader_page.evaluate("() => document.querySelector('figure.recording audio').error") is None
    reader_page.evaluate("() => document.querySelector('figure.recording audio').pause()")
    check_page(reader_page, "media-appearance-recording")


def test_the_report_pdf_downloads(live_site, reader_page):
    from presscentre.newsroom.models import ReportDocument

    link = ReportDocument.objects.select_related("report", "document").first()
    reader_page.goto(link.report.url)
    with reader_page.expect_download() as download:
        reader_page.get_by_role("region", name="Download the report").get_by_role(
            "link", name=link.document.title
        ).click()

    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    check_page(reader_page, "report")
