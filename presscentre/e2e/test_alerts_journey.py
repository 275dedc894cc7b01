"""A reader subscribes to alerts from an item page's footer with the keyboard alone, confirms through the link in
the email (which arrives at a real SMTP server), and changes what they follow on the manage page."""

import re
import secrets

import pytest

from presscentre.alerts.tests.conftest import smtp_server  # noqa: F401 - the fixture
from presscentre.e2e.keyboard import tab_to
from presscentre.e2e.pages import check_page, settle

pytestmark = pytest.mark.browser


def newest_public_release():
    from django.utils import timezone

    from presscentre.embargo.services import public_items
    from presscentre.newsroom.models import PressReleasePage

    return public_items(timezone.now()).of_type(PressReleasePage).newest_first().specific().first()


def confirm_link(server, address: str) -> str:
    message = server.message_to(address)
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://\S+/subscribe/confirm/\S+/", text).group(0)


def test_a_reader_subscribes_from_the_footer_by_keyboard_confirms_and_manages_their_alerts(
    live_site,
    reader_page,
    smtp_server,  # noqa: F811
):
    from presscentre.alerts.models import Subscription

    address = f"e2e-reader-{secrets.token_hex(3)}@example.net"
    page = reader_page
    page.goto(newest_public_release().url)
    settle(page)

    # A slip first: the address lacks its domain. The sign-up page says so, with the focus on the summary and the
    # footer's choice (everything, as it happens) kept.
    tab_to(page, "id", "alerts-footer-email")
    page.keyboard.type("e2e-reader@")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    assert "Enter your email address in the form name@example.com." in summary.inner_text()
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    assert page.get_by_label("Email address").input_value() == "e2e-reader@"
    assert page.get_by_label("Everything, as soon as it is published").is_checked()
    check_page(page, "alerts-sign-up-error")

    tab_to(page, "id", "id_email")
    page.keyboard.press("Control+A")
    page.keyboard.type(address)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    check_page(page, "alerts-check-your-email")
    subscription = Subscription.objects.get(email=address)
    assert subscription.state == Subscription.State.PENDING
    assert subscription.everything and subscription.consent_source == "subscribe page"
    assert smtp_server.recipients() == {address: 1}

    page.goto(confirm_link(smtp_server, address))
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm your alerts"
    assert "Everything we publish" in page.locator("main").inner_text()
    check_page(page, "alerts-confirm")
    tab_to(page, "button", "Confirm my alerts")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "You are subscribed"
    subscription.refresh_from_db()
    assert subscription.state == Subscription.State.ACTIVE

    with page.expect_navigation():
        page.get_by_role("link", name="manage your alerts").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Manage your alerts"
    check_page(page, "alerts-manage")
    topics = page.get_by_role("group", name="Topics")
    topic = topics.get_by_role("checkbox").first
    topic_name = topics.locator("label").first.inner_text()
    page.get_by_label("Everything, as soon as it is published").uncheck()
    topic.check()
    page.get_by_role("radio", name="Weekly digest").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save changes").click()

    assert page.get_by_role("status").inner_text() == "Your changes are saved."
    assert page.get_by_role("group", name="Topics").get_by_label(topic_name, exact=True).is_checked()
    assert page.get_by_role("radio", name="Weekly digest").is_checked()
    assert not page.get_by_label("Everything, as soon as it is published").is_checked()
    subscription.refresh_from_db()
    assert not subscription.everything
    assert subscription.frequency == Subscription.Frequency.WEEKLY
    assert list(subscription.categories.values_list("name", flat=True)) == [topic_name]
    assert smtp_server.recipients() == {address: 1}  # nothing but the confirmation
