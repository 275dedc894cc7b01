"""The press officer's morning check: the dashboard's panels, drawn from this site alone, with initials avatars."""

import re
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from presscentre.e2e.pages import check_page

pytestmark = pytest.mark.browser


@pytest.fixture
def morning(live_site):
    """An embargoed release lifting in two days with a journalist's view of it, a scheduled distribution and a
    pending comment, as the ORM leaves them for the server thread; removed afterwards for the other journeys."""
    from presscentre.comments.models import Comment
    from presscentre.distribution.models import Distribution, MediaContact, MediaList
    from presscentre.embargo.models import AccessLink, AccessLogEntry
    from presscentre.newsroom.models import ArticlePage, PressCentrePage
    from presscentre.newsroom.tests.factories import PressReleaseFactory

    now = timezone.now()
    tag = secrets.token_hex(3)
    release = PressReleaseFactory(
        parent=PressCentrePage.objects.get(),
        title=f"Regional pay figures {tag}",
        embargo_until=now + timedelta(days=2, hours=3, minutes=30),
        embargo_time_zone="Europe/London",
    )
    link = AccessLink.objects.create(
        item=release, name="Jo Reporter", email=f"jo.{tag}@example.net", outlet="The Daily Ledger", created_at=now
    )
    AccessLogEntry.objects.create(link=link, at=now - timedelta(minutes=20), kind=AccessLogEntry.Kind.VIEW)
    media_list = MediaList.objects.create(name=f"Economics desks {tag}")
    media_list.contacts.add(MediaContact.objects.create(name="Sam Desk", email=f"sam.{tag}@example.net"))
    distribution = Distribution.objects.create(
        release=release, status=Distribution.Status.SCHEDULED, send_at=now + timedelta(days=2)
    )
    distribution.lists.add(media_list)
    comment = Comment.objects.create(
        item=ArticlePage.objects.live().first(),
        author_name=f"Early Reader {tag}",
        author_email=f"early.{tag}@example.net",
        body="Where can I find the method note?",
        created_at=now - timedelta(minutes=5),
    )
    yield {"release": release, "comment": comment, "distribution": distribution}
    comment.delete()
    distribution.delete()
    media_list.contacts.all().delete()
    media_list.delete()
    release.delete()


def panel(page, heading: str):
    return page.locator("section.w-panel", has=page.get_by_role("heading", name=heading))


def test_the_press_officer_reads_the_mornings_panels_with_nothing_fetched_from_elsewhere(
    live_site, editor_page, morning
):
    # A tab of its own in the signed-in session, with a clock the test can move for the countdown's script.
    page = editor_page.context.new_page()
    page.clock.install()
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/admin/")
    page.wait_for_load_state("networkidle")

    lifts = panel(page, "Embargoes lifting in the next 7 days")
    row = lifts.locator("tr", has_text=morning["release"].title)
    assert re.fullmatch(r"in 2 days 3 hours", row.locator("time").inner_text())
    assert re.search(r"\d\d:\d\d (GMT|BST), \w+ \d+ \w+ \d{4}", row.inner_text())
    page.clock.fast_forward("01:00:00")  # the dashboard left open for an hour counts down by itself
    assert row.locator("time").inner_text() == "in 2 days 2 hours"
    assert row.get_by_role("link", name=morning["release"].title, exact=True).get_attribute("href") == (
        f"/admin/pages/{morning['release'].pk}/edit/"
    )

    activity = panel(page, "Journalist link activity in the last 24 hours")
    assert "Jo Reporter, The Daily Ledger" in activity.locator("tr", has_text=morning["release"].title).inner_text()

    sends = panel(page, "Distributions sending or scheduled")
    send_row = sends.locator("tr", has_text=morning["release"].title)
    assert "Economics desks" in send_row.inner_text()
    assert "Scheduled for" in send_row.inner_text()

    comments = panel(page, "Comments awaiting moderation")
    assert comments.locator("tr", has_text=morning["comment"].author_name).count() == 1
    assert comments.get_by_role("link", name=re.compile(r"\d+ comments? awaiting moderation")).get_attribute(
        "href"
    ) == ("/admin/comments/?status=pending")

    # Every avatar is drawn in the page (initials), so nothing reaches Gravatar or any other host.
    avatar = page.locator(".avatar img").first
    assert avatar.get_attribute("src").startswith("data:image/svg+xml,")
    elsewhere = [
        url for url in requested if urlsplit(url).scheme in {"http", "https"} and not url.startswith(live_site.url)
    ]
    assert elsewhere == []
    check_page(page, "admin-dashboard")

    # The countdown leads to the item itself.
    with page.expect_navigation():
        row.get_by_role("link", name=morning["release"].title, exact=True).click()
    assert page.url.endswith(f"/admin/pages/{morning['release'].pk}/edit/")
    page.close()
