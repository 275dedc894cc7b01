"""A press officer picks a journalist from the media contacts and gives them a personal link; the journalist adds
the lift to their calendar and copies the release text."""

import secrets
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from presscentre.e2e.admin_steps_links import copy_link, create_link_for_contact
from presscentre.e2e.pages import assert_accessible, check_page, screenshot, settle

pytestmark = pytest.mark.browser

CONTACT = "Amara Lindqvist"
CLIPBOARD = ["clipboard-read", "clipboard-write"]
ZOOMED = {"width": 640, "height": 800}  # 1280 CSS pixels at 200 % zoom


@pytest.fixture
def embargoed_release(live_site):
    """Setup, not the journey: the demo's media contacts (the package loads no contacts) and a release embargoed
    until tomorrow, published."""
    from presscentre.distribution.demo import load_demo_contacts
    from presscentre.newsroom.models import PressCentrePage, PressCentreSettings, PressReleasePage

    load_demo_contacts()
    index = PressCentrePage.objects.get()
    headline = f"Household energy costs outpace pay {secrets.token_hex(3)}"
    release = index.add_child(
        instance=PressReleasePage(
            title=headline,
            slug=f"energy-costs-{secrets.token_hex(3)}",
            subheadline="The poorest fifth spend three times as much of their income on energy",
            dateline_place="London",
            lead="Energy bills rose twice as fast as pay for the poorest households last year.",
            embargo_until=timezone.now() + timedelta(days=1),
            live=True,
        )
    )
    site_settings = PressCentreSettings.for_site(index.get_site())
    site_settings.journalist_terms = "Nothing from this release may be published before the embargo lifts."
    site_settings.save()
    return release


def assert_nothing_clipped(page, name: str) -> None:
    """No horizontal scrolling of the whole page: wide tables scroll inside their own container."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} is {overflow} px wider than the window"


def test_a_journalist_picked_from_the_media_contacts_gets_the_release_with_calendar_and_text(
    live_site, editor_page, browser, embargoed_release
):
    release = embargoed_release

    # The press officer picks the journalist from the media contacts and copies the new link.
    link_path = create_link_for_contact(editor_page, item_id=release.pk, contact_query=CONTACT)
    assert link_path.startswith("/embargoed/")
    assert editor_page.get_by_text(f"Link created for {CONTACT}, The Daily Ledger").is_visible()
    editor_page.context.grant_permissions(CLIPBOARD, origin=live_site.url)
    copied = copy_link(editor_page, name=CONTACT)
    assert copied.endswith(link_path)
    screenshot(editor_page, "admin-journalist-links")
    assert_nothing_clipped(editor_page, "the links screen at 1280 px")
    editor_page.set_viewport_size(ZOOMED)
    settle(editor_page)
    editor_page.screenshot(path=str(screenshot_path("admin-journalist-links-zoomed")), full_page=True)
    assert_nothing_clipped(editor_page, "the links screen at 200 % zoom")
    assert editor_page.get_by_label(f"Personal link for {CONTACT}").is_visible()
    editor_page.set_viewport_size({"width": 1280, "height": 800})
    assert_accessible(editor_page, "the journalist links screen")

    # The journalist opens the link, accepts the terms and reads the release.
    context = browser.new_context(base_url=live_site.url, accept_downloads=True)
    context.grant_permissions(CLIPBOARD, origin=live_site.url)
    journalist = context.new_page()
    journalist.goto(link_path)
    with journalist.expect_navigation():
        journalist.get_by_role("button", name="I accept").click()
    assert journalist.get_by_role("heading", level=1).inner_text() == release.title

    # "Add to calendar" downloads the lift as an event.
    with journalist.expect_download() as calendar_download:
        journalist.get_by_role("link", name="Add to calendar").click()
    assert calendar_download.value.suggested_filename.endswith(".ics")
    event = calendar_download.value.path().read_bytes()
    assert event.startswith(b"BEGIN:VCALENDAR\r\n")
    assert f"DTSTART:{release.embargo_until.astimezone(UTC):%Y%m%dT%H%M%S}Z".encode() in event
    assert b"SUMMARY:Embargo lifts: Household energy costs outpace pay" in event

    # "Copy release text" puts the release on the clipboard, the same text as the download offers.
    journalist.get_by_role("button", name="Copy release text").click()
    journalist.get_by_role("status").filter(has_text="Copied").wait_for()
    text = journalist.evaluate("() => navigator.clipboard.readText()")
    assert text.startswith("EMBARGOED UNTIL ")
    assert release.title in text and "ENDS" in text and release.lead in text
    with journalist.expect_download() as text_download:
        journalist.get_by_role("link", name="Download release text").click()
    assert text_download.value.path().read_text(encoding="utf-8") == text

    check_page(journalist, "journalist-copy-with-tools")

    # Back on the links screen, the press office sees the link was opened. Its address was shown once, when it was
    # made (only a hash of the token is stored): now the row names the link by the token's first characters.
    editor_page.reload()
    row = editor_page.get_by_role("row").filter(has_text=CONTACT).first
    assert editor_page.get_by_label(f"Personal link for {CONTACT}").count() == 0
    assert f"{link_path.rstrip('/')[:-37]}…" in row.inner_text()
    assert "1 time" in row.inner_text()
    context.close()


def screenshot_path(name: str):
    from presscentre.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
