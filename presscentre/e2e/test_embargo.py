"""An editor publishes an embargoed release and gives a journalist a personal link; the public waits for the lift."""

import secrets
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.text import slugify

from presscentre.e2e.operator_steps import lift_now
from presscentre.e2e.pages import check_page, screenshot

pytestmark = pytest.mark.browser


def test_an_embargoed_release_reaches_its_journalist_first_and_the_public_at_the_lift(live_site, editor_page, browser):
    from presscentre.newsroom.models import PressCentrePage, PressCentreSettings, PressReleasePage

    headline = f"Embargoed figures on regional pay {secrets.token_hex(3)}"
    index = PressCentrePage.objects.get()
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(ZoneInfo("Europe/London"))

    # The editor writes and publishes the release with an embargo for tomorrow morning.
    editor_page.goto(f"/admin/pages/add/newsroom/pressreleasepage/{index.pk}/")
    editor_page.locator("#id_title").fill(headline)
    editor_page.locator("#id_embargo_until").fill(tomorrow.strftime("%Y-%m-%d 09:30"))
    editor_page.keyboard.press("Escape")
    editor_page.locator("#id_lead").fill("Pay in the regions rose faster than in London last year, new figures show.")
    editor_page.get_by_role("tab", name="Promote").click()
    editor_page.locator("#id_slug").fill(slugify(headline))
    editor_page.get_by_role("button", name="More actions").click()
    editor_page.get_by_role("button", name="Publish").click()
    editor_page.wait_for_url("**/admin/pages/**")
    release = PressReleasePage.objects.get(title=headline)
    assert release.live and release.is_embargoed_at(timezone.now())
    screenshot(editor_page, "admin-release-published")

    # The editor makes a personal link for one journalist.
    editor_page.goto(f"/admin/embargo/items/{release.pk}/links/")
    editor_page.get_by_label("Name").fill("Jo Reporter")
    editor_page.get_by_label("Email").fill("jo.reporter@example.net")
    editor_page.get_by_label("Outlet").fill("The Daily Ledger")
    editor_page.get_by_role("button", name="Create link").click()
    link_path = urlsplit(editor_page.get_by_label("Personal link for Jo Reporter").input_value()).path
    screenshot(editor_page, "admin-journalist-link")

    # The journalist accepts the press office's embargo terms and reads the release; the public gets a 404.
    site_settings = PressCentreSettings.for_site(index.get_site())
    site_settings.journalist_terms = "Nothing from this release may be published before the embargo lifts."
    site_settings.save()
    journalist = browser.new_context(base_url=live_site.url).new_page()
    journalist.goto(link_path)
    check_page(journalist, "journalist-terms")
    with journalist.expect_navigation():
        journalist.get_by_role("button", name="I accept").click()
    assert journalist.get_by_role("heading", level=1).inner_text() == headline
    assert "Embargoed until" in journalist.locator(".embargo-banner").inner_text()
    check_page(journalist, "journalist-view")

    public = browser.new_context(base_url=live_site.url).new_page()
    assert public.goto(release.url).status == 404
    public.goto("/")
    assert public.get_by_text(headline).count() == 0

    # The embargo is brought forward to a moment from now; once it passes, the lift makes the release public.
    lift_now(release)

    assert public.goto(release.url).status == 200
    assert public.get_by_role("heading", level=1).inner_text() == headline
    check_page(public, "release-after-lift")
    # A browser that already holds the index may keep it for its max-age; a newcomer sees the release listed.
    newcomer = browser.new_context(base_url=live_site.url).new_page()
    newcomer.goto("/")
    assert newcomer.get_by_role("link", name=headline).count() == 1
    journalist.goto(link_path)
    assert journalist.url.endswith(release.url)
    for page in (journalist, public, newcomer):
        page.context.close()
