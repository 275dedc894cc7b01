"""A reader searches the press centre from the search page, with the keyboard."""

import pytest

from presscentre.e2e.pages import check_page

pytestmark = pytest.mark.browser


def test_a_search_finds_matching_items_and_its_results_pass_axe(live_site, reader_page):
    reader_page.goto("/search/")
    reader_page.get_by_label("Search the press centre").fill("housing")
    with reader_page.expect_navigation():
        reader_page.keyboard.press("Enter")

    assert "q=housing" in reader_page.url
    assert reader_page.get_by_role("heading", level=1).inner_text() == "Search results for “housing”"
    assert reader_page.locator("article.entry").count() >= 1
    assert reader_page.locator(".search-count").inner_text().endswith(("result", "results"))
    check_page(reader_page, "search-results")
