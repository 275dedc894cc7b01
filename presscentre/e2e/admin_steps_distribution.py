"""The press officer's steps for sending a release to a media list through the admin, for any journey to reuse."""

import re

from presscentre.e2e.pages import screenshot

SUMMARY_PARTS = ("release", "lists", "topics", "recipients", "embargo", "when")


def send_distribution(page, *, release_title: str, list_name: str) -> dict[str, str]:
    """From the Distributions listing: add a distribution of the release to the list, press the send button,
    read the confirmation screen, photograph it, confirm, and wait for the distribution's own page.

    Returns what the confirmation screen said, part by part (release, lists, topics, recipients, embargo, when),
    for the caller to check; the page is left on the distribution's page with its "Sending has started." notice.
    """
    page.goto("/admin/")
    page.get_by_role("button", name="Distribution", exact=True).click()
    page.get_by_role("link", name="Distributions", exact=True).click()
    page.get_by_role("link", name="Add distribution").click()

    picker = page.get_by_role("combobox", name="Release")
    option = picker.locator("option").filter(has_text=release_title).first
    picker.select_option(option.get_attribute("value"))
    page.get_by_label(list_name, exact=True).check()
    page.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(r"/admin/distribution/sends/\d+/$"))
    detail_url = page.url

    page.get_by_role("button", name=re.compile(r"^Review and send")).click()
    page.wait_for_url(re.compile(r"/admin/distribution/sends/\d+/send/"))
    said = {part: page.locator(f'[data-summary="{part}"]').inner_text().strip() for part in SUMMARY_PARTS}
    screenshot(page, "admin-distribution-confirm")

    page.get_by_role("button", name=re.compile(r"^Confirm")).click()
    page.wait_for_url(detail_url)
    return said
