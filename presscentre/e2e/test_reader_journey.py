"""A reader finds things without a workaround: searches from an item's header, browses the categories, prints an
item, finds the press office, shares on Mastodon, and lands on a helpful 404. Every new page passes axe-core."""

import secrets

import pytest
from django.utils import timezone

from presscentre.e2e.conftest import PHONE
from presscentre.e2e.pages import check_page, settle
from presscentre.e2e.reader_steps import (
    assert_nothing_overflows,
    assert_print_hides_chrome,
    follow_index_entry,
    header_search_box,
    open_from_header,
    result_titles,
    search_from_header,
)

pytestmark = pytest.mark.browser


def newest_public(model):
    from presscentre.embargo.services import public_items

    return public_items(timezone.now()).of_type(model).newest_first().specific().first()


def test_a_reader_searches_from_the_header_of_an_item_page(live_site, reader_page):
    from presscentre.newsroom.models import PressReleasePage

    release = newest_public(PressReleasePage)
    reader_page.goto(release.url)
    word = max(release.title.split(), key=len).strip(",.:;'\u2019")

    search_from_header(reader_page, word)

    assert f"q={word}" in reader_page.url
    assert reader_page.get_by_role("heading", level=1).inner_text() == f"Search results for \u201c{word}\u201d"
    assert release.title in result_titles(reader_page)
    assert header_search_box(reader_page).is_visible()
    check_page(reader_page, "reader-search-from-header")


def test_a_reader_browses_the_categories_and_the_people(live_site, reader_page):
    reader_page.goto("/")
    open_from_header(reader_page, "Categories")

    assert reader_page.get_by_role("heading", level=1).inner_text() == "Categories"
    assert reader_page.locator("main .archive-index li").count() >= 1
    check_page(reader_page, "reader-category-index")

    name = follow_index_entry(reader_page)
    assert reader_page.get_by_role("heading", level=1).inner_text() == f"Category: {name}"
    archive_filter = reader_page.get_by_role("navigation", name="Filter this category by type")
    assert archive_filter.get_by_role("link", name="All types").get_attribute("aria-current") == "page"
    assert reader_page.locator("main .feed-subscribe").get_by_role("link", name="RSS").is_visible()
    check_page(reader_page, "reader-category-archive")

    open_from_header(reader_page, "People")
    assert reader_page.get_by_role("heading", level=1).inner_text() == "People"
    check_page(reader_page, "reader-people-index")
    follow_index_entry(reader_page)
    assert reader_page.get_by_role("navigation", name="Filter these items by type").is_visible()


def test_printing_an_item_shows_the_content_alone(live_site, reader_page):
    from presscentre.newsroom.models import ArticlePage

    article = newest_public(ArticlePage)
    reader_page.goto(article.url)
    settle(reader_page)
    assert reader_page.locator("form.comment-form").is_visible()  # there is a form for print to hide
    assert reader_page.get_by_role("button", name="Print").is_visible()

    assert_print_hides_chrome(reader_page)

    assert reader_page.locator("header.site-header nav").first.is_visible()  # back on screen, all is shown


def test_a_journalist_finds_the_press_office_from_any_page(live_site, reader_page):
    from presscentre.newsroom.models import ReportPage

    reader_page.goto(newest_public(ReportPage).url)
    assert reader_page.locator("section.media-contacts").is_visible()

    open_from_header(reader_page, "Press contacts")

    assert reader_page.get_by_role("heading", level=1).inner_text() == "Press contacts"
    assert reader_page.get_by_role("heading", name="Press office").is_visible()
    check_page(reader_page, "reader-press-contacts")


def test_sharing_copies_the_link_and_asks_mastodon_users_for_their_server(live_site, reader_context, reader_page):
    from presscentre.newsroom.models import PressReleasePage

    release = newest_public(PressReleasePage)
    reader_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_site.url)
    reader_page.goto(release.url)
    share = reader_page.locator(".share")
    share.get_by_role("button", name="Copy link").click()
    reader_page.get_by_role("status").filter(has_text="Link copied.").wait_for()
    assert reader_page.evaluate("() => navigator.clipboard.readText()") == live_site.url + release.url

    with reader_page.expect_navigation():
        share.get_by_role("link", name="Mastodon").click()
    assert reader_page.get_by_role("heading", level=1).inner_text() == "Share on Mastodon"
    check_page(reader_page, "reader-share-mastodon")

    server = reader_page.get_by_label("Your Mastodon server")
    server.fill("not a server")
    with reader_page.expect_navigation():
        server.press("Enter")
    assert "Enter the address of your Mastodon server" in reader_page.get_by_role("alert").first.inner_text()
    assert reader_page.get_by_label("Your Mastodon server").input_value() == "not a server"
    check_page(reader_page, "reader-share-mastodon-error")


def test_a_lost_reader_gets_a_404_with_search_and_the_press_office(live_site, reader_page):
    response = reader_page.goto(f"/no-such-page-{secrets.token_hex(3)}/")

    assert response.status == 404
    assert reader_page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert header_search_box(reader_page).is_visible()
    assert reader_page.locator("main").get_by_role("link", name="Contact the press office").is_visible()
    check_page(reader_page, "reader-not-found")

    search_from_header(reader_page, "energy")
    assert "/search/?q=energy" in reader_page.url


def test_long_words_and_addresses_wrap_on_a_phone(live_site, reader_page):
    from presscentre.newsroom.models import PressCentrePage
    from presscentre.newsroom.tests.factories import PressReleaseFactory, paragraph_body

    word = "Pneumono" * 25  # 200 characters, no break anywhere
    address = "https://example.org/" + "a-very-long-path-segment/" * 8 + "?query=" + "x" * 60
    release = PressReleaseFactory(
        parent=PressCentrePage.objects.get(),
        title=f"Wrapping test {word}",
        slug=f"wrapping-test-{secrets.token_hex(3)}",
        lead=f"A lead with {word} in it.",
        body=paragraph_body(f'{word} and <a href="{address}">{address}</a> in the body.'),
    )
    reader_page.set_viewport_size(PHONE)
    try:
        reader_page.goto(release.url)
        settle(reader_page)
        assert_nothing_overflows(reader_page)
    finally:
        reader_page.set_viewport_size({"width": 1280, "height": 800})
    check_page(reader_page, "reader-long-words")
