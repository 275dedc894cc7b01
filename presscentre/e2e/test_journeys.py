"""The three daily journeys, end to end, as the people do them: through the admin's own forms and the public pages.

(a) The press officer writes a release from an empty form, saves a draft, sees it in the live preview panel,
    embargoes and publishes it, makes a personal link for a journalist picked from the media contacts, and sends
    the release to a media list through the confirmation step.
(b) The journalist opens the link, adds the lift to their calendar and copies the text; after the lift the public
    page shows the release as published.
(c) A reader searches from an item page's header, browses the categories, and prints an item.
"""

import re
import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from presscentre.e2e.admin_steps_distribution import send_distribution
from presscentre.e2e.admin_steps_links import create_link_for_contact
from presscentre.e2e.operator_steps import lift_now
from presscentre.e2e.pages import check_page, screenshot
from presscentre.e2e.reader_steps import (
    assert_print_hides_chrome,
    follow_index_entry,
    open_from_header,
    result_titles,
    search_from_header,
)

pytestmark = pytest.mark.browser

CONTACT = "Amara Lindqvist"
MEDIA_LIST = "Economics correspondents"
CLIPBOARD = ["clipboard-read", "clipboard-write"]


@pytest.fixture
def media_contacts(live_site):
    """Setup, not the journey: the demo's media contacts and their list (the browser package loads no contacts)."""
    from presscentre.distribution.demo import load_demo_contacts

    load_demo_contacts()


def write_release_from_an_empty_form(page, *, index_id: int, headline: str) -> None:
    """Add a press release under the press centre, typing its headline and lead with the keyboard."""
    page.goto(f"/admin/pages/{index_id}/add_subpage/")
    page.get_by_role("link", name="Press release", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/pages/add/newsroom/pressreleasepage/\d+/"))
    page.locator("#id_title").press_sequentially(headline)
    page.locator("#id_subheadline").press_sequentially("Young renters hit hardest")
    page.locator("#id_dateline_place").press_sequentially("Leeds")
    page.locator("#id_lead").press_sequentially("Rents rose faster than pay in every region last year, figures show.")


def test_a_press_officer_writes_embargoes_publishes_and_sends_a_release_that_a_journalist_reads_first(
    live_site, editor_page, browser, media_contacts
):
    from presscentre.newsroom.models import PressCentrePage, PressReleasePage

    index = PressCentrePage.objects.get()
    headline = f"Rents outpace pay in every region {secrets.token_hex(3)}"
    page = editor_page

    # (a) From an empty form: the headline fills the slug as it is typed, and the first save needs nothing else.
    write_release_from_an_empty_form(page, index_id=index.pk, headline=headline)
    page.get_by_role("tab", name="Promote").click()
    assert page.locator("#id_slug").input_value().startswith("rents-outpace-pay-in-every-region-")
    page.get_by_role("tab", name="Content").click()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    assert page.get_by_text(f"Page '{headline}' created.").is_visible()
    release = PressReleasePage.objects.get(title=headline)
    assert not release.live
    screenshot(page, "journey-admin-draft-saved")

    # The live preview panel shows the page as readers will see it.
    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("#w-preview-iframe")
    assert preview.get_by_role("heading", level=1).inner_text(timeout=15_000) == headline
    screenshot(page, "journey-admin-live-preview")

    # Embargo it for tomorrow morning in London; the preview shows the embargo banner.
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(ZoneInfo("Europe/London"))
    page.locator("#id_embargo_until").fill(tomorrow.strftime("%Y-%m-%d 09:30"))
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    preview = page.frame_locator("#w-preview-iframe")
    preview.locator(".embargo-banner").wait_for(timeout=15_000)
    assert "not for publication until 09:30" in preview.locator(".embargo-banner").inner_text()

    # Publish: the item is live but embargoed, and the edit screen says so.
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/admin/pages/**")
    release.refresh_from_db()
    assert release.live and release.is_embargoed_at(timezone.now())
    page.goto(f"/admin/pages/{release.pk}/edit/")
    assert "embargoed until 09:30" in page.locator("header").first.inner_text().lower()

    # A personal link for a journalist picked from the media contacts.
    link_path = create_link_for_contact(page, item_id=release.pk, contact_query=CONTACT)
    screenshot(page, "journey-admin-link-created")

    # The release goes to a media list, after a confirmation that says what will happen.
    said = send_distribution(page, release_title=headline, list_name=MEDIA_LIST)
    assert headline in said["release"]
    assert MEDIA_LIST in said["lists"]
    assert int(re.search(r"\d+", said["recipients"]).group()) >= 1
    assert "09:30" in said["embargo"]
    screenshot(page, "journey-admin-distribution-sent")

    # (b) The journalist opens the link, adds the lift to the calendar and copies the release text.
    context = browser.new_context(base_url=live_site.url, accept_downloads=True)
    context.grant_permissions(CLIPBOARD, origin=live_site.url)
    journalist = context.new_page()
    journalist.goto(link_path)
    if journalist.get_by_role("button", name="I accept").count():
        with journalist.expect_navigation():
            journalist.get_by_role("button", name="I accept").click()
    assert journalist.get_by_role("heading", level=1).inner_text() == headline
    with journalist.expect_download() as calendar:
        journalist.get_by_role("link", name="Add to calendar").click()
    assert b"BEGIN:VEVENT" in calendar.value.path().read_bytes()
    journalist.get_by_role("button", name="Copy release text").click()
    journalist.get_by_role("status").filter(has_text="Copied").wait_for()
    copied = journalist.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith("EMBARGOED UNTIL 09:30") and headline in copied and "ENDS" in copied
    check_page(journalist, "journey-journalist-embargoed-copy")

    # Before the lift the public sees nothing; at the lift the page reads as published, not embargoed.
    public = browser.new_context(base_url=live_site.url).new_page()
    assert public.goto(release.url).status == 404
    lift_now(release)
    assert public.goto(release.url).status == 200
    assert public.get_by_role("heading", level=1).inner_text() == headline
    assert "EMBARGOED" not in public.locator("main").inner_text().upper()
    check_page(public, "journey-release-after-lift")
    for other in (journalist, public):
        other.context.close()


def test_a_reader_searches_from_an_item_browses_categories_and_prints_an_item(live_site, reader_page):
    from presscentre.embargo.services import public_items

    item = public_items(timezone.now()).newest_first().first().specific
    reader_page.goto(item.url)

    search_from_header(reader_page, "housing")
    assert "q=housing" in reader_page.url
    assert result_titles(reader_page)
    check_page(reader_page, "journey-reader-search")

    open_from_header(reader_page, "Categories")
    assert reader_page.url.endswith("/category/")
    check_page(reader_page, "journey-reader-categories")
    followed = follow_index_entry(reader_page)
    assert reader_page.get_by_role("heading", level=1).inner_text().strip() == f"Category: {followed.split(' (')[0]}"

    reader_page.locator("main article.entry a").first.click()
    reader_page.wait_for_load_state("load")
    assert_print_hides_chrome(reader_page)
    check_page(reader_page, "journey-reader-item-to-print")
