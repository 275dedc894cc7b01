"""The press officer's steps on the journalist links screen, for any journey to reuse."""

import re
from urllib.parse import urlsplit


def open_links_screen(page, *, item_id: int) -> None:
    page.goto(f"/admin/embargo/items/{item_id}/links/")
    page.get_by_role("heading", name="Personal links", exact=True).wait_for()


def create_link_for_contact(page, *, item_id: int, contact_query: str) -> str:
    """On the item's journalist links screen: search the media contacts for `contact_query`, tick the one contact
    it finds, create their personal link, and return the link's path (/embargoed/<token>/).

    The query must find exactly one contact (a full name or address does), so the journey knows whose link it made.
    """
    open_links_screen(page, item_id=item_id)
    search = page.get_by_role("search", name="Pick from the media contacts")
    search.get_by_label("Find media contacts").fill(contact_query)
    search.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"[?&]q="))

    matches = page.get_by_role("group", name=re.compile(r"matching"))
    checkboxes = matches.get_by_role("checkbox")
    assert checkboxes.count() == 1, f"{contact_query!r} should find one media contact, not {checkboxes.count()}"
    name = matches.locator("label").first.inner_text().split(",")[0].strip()
    checkboxes.first.check()
    page.get_by_role("button", name="Create personal links for the ticked contacts").click()
    page.wait_for_url(re.compile(r"[?&]created=\d+"))

    address = page.get_by_label(f"Personal link for {name}", exact=True).input_value()
    return urlsplit(address).path


def copy_link(page, *, name: str) -> str:
    """Press the copy button of `name`'s link; return what the clipboard then holds (needs clipboard permissions)."""
    page.get_by_role("button", name=f"Copy the link for {name}").click()
    page.get_by_role("status").filter(has_text=f"The link for {name} is copied.").wait_for()
    return page.evaluate("() => navigator.clipboard.readText()")
