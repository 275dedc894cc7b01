"""A journalist finds an expert by language in the directory, asks for an interview, makes a slip that the form
points out, and sends the request, which reaches the press office at a real SMTP server. axe checks each page."""

import pytest

from presscentre.distribution.tests.conftest import smtp_server  # noqa: F401 - the fixture
from presscentre.e2e.pages import check_page, settle

pytestmark = pytest.mark.browser


def test_a_journalist_filters_the_experts_and_requests_an_interview(
    live_site,
    reader_page,
    smtp_server,  # noqa: F811
):
    from presscentre.experts.models import InterviewRequest

    page = reader_page
    page.goto(live_site.url + "/experts/")
    settle(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Experts"
    check_page(page, "experts-directory")

    page.get_by_label("Language").select_option("Welsh")
    with page.expect_navigation():
        page.get_by_role("button", name="Show experts").click()
    experts = page.locator(".expert h2").all_inner_texts()
    assert experts == ["Owen Maddox"]
    check_page(page, "experts-directory-filtered")

    with page.expect_navigation():
        page.get_by_role("link", name="Request an interview with Owen Maddox").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Request an interview with Owen Maddox"
    check_page(page, "experts-request-form")

    form = page.locator("form.interview-request-form")
    form.get_by_label("Your name").fill("Jo Reporter")
    form.get_by_label("Publication or programme").fill("The Daily Ledger")
    form.get_by_label("Email address").fill("jo@")
    form.get_by_label("What would you like to talk about?").fill("The regional growth figures.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the request").click()
    assert "Enter your email address in the form name@example.com." in page.locator(".error-summary").inner_text()
    assert form.get_by_label("Your name").input_value() == "Jo Reporter"
    check_page(page, "experts-request-error")

    form.get_by_label("Email address").fill("jo@ledger.example")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the request").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Request sent"
    check_page(page, "experts-request-sent")
    assert InterviewRequest.objects.get().expert_name == "Owen Maddox"
    assert sum(smtp_server.recipients().values()) == 1
