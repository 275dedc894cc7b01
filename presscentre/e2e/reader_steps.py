"""What a reader does on the public site, as reusable steps: search from the header, browse the indexes, print."""

from playwright.sync_api import Page


def header_search_box(page: Page):
    return page.locator("header.site-header").get_by_role("searchbox", name="Search the site")


def search_from_header(page: Page, query: str) -> None:
    """Type `query` into the header's search box and press Enter, as a reader would; wait for the results."""
    box = header_search_box(page)
    box.click()
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")


def result_titles(page: Page) -> list[str]:
    return [title.strip() for title in page.locator("main article.entry .entry-title").all_inner_texts()]


def open_from_header(page: Page, name: str) -> None:
    """Follow one of the header's press centre links ("Press contacts", "Categories", "People")."""
    navigation = page.locator("header.site-header").get_by_role("navigation", name="Press centre")
    with page.expect_navigation():
        navigation.get_by_role("link", name=name, exact=True).click()


def follow_index_entry(page: Page, position: int = 0) -> str:
    """Follow an entry of the category or people index; returns the name followed."""
    link = page.locator("main .archive-index li a").nth(position)
    name = link.inner_text().strip()
    with page.expect_navigation():
        link.click()
    return name


def assert_print_hides_chrome(page: Page) -> None:
    """With print media emulated: the headline and text show, navigation, search, sharing and comments do not."""
    page.emulate_media(media="print")
    try:
        assert page.get_by_role("heading", level=1).is_visible()
        assert page.locator("main .item").is_visible()
        for selector in (
            "header.site-header nav",
            "header.site-header form[role=search]",
            ".skip-link",
            ".type-nav",
            ".footer-links",
            ".item-actions",
            ".comments",
            "form.comment-form",
        ):
            for element in page.locator(selector).all():
                assert not element.is_visible(), f"{selector} is printed"
    finally:
        page.emulate_media(media="screen")


def assert_nothing_overflows(page: Page) -> None:
    """No horizontal scrolling at the page's current width: long words and addresses wrap."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the window at {page.viewport_size['width']}px"
