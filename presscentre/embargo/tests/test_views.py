"""The staff screen for journalist links: listing, creating, revoking, the calendar, and who may use it."""

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.urls import reverse
from icalendar import Calendar

from presscentre.embargo.models import AccessLink
from presscentre.embargo.services import create_access_link, find_access_link
from presscentre.newsroom.tests.factories import ArticleFactory, PressReleaseFactory

LIFT = datetime(2030, 3, 2, 0, 1, tzinfo=UTC)
NOW = LIFT - timedelta(days=2)


@pytest.fixture(autouse=True)
def _before_the_lift(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def release(newsroom):
    return PressReleaseFactory(parent=newsroom, title="Pay gap report", embargo_until=LIFT)


@pytest.fixture
def link(release, editor):
    return create_access_link(
        release, name="Jane Doe", email="jane@ledger.example", outlet="The Daily Ledger", by=editor, at=NOW
    )


@pytest.fixture
def staff(client, editor):
    client.force_login(editor)
    return client


def links_url(item) -> str:
    return reverse("embargo_admin:links", args=[item.pk])


def row_for(response, name: str) -> list[str]:
    """The cells of the link's row: recipient (name, outlet, email), link, state (and when it was made), opened,
    actions."""
    page = BeautifulSoup(response.content, "html.parser")
    for row in page.select("table.pc-links tbody tr"):
        cells = [" ".join(cell.get_text(" ").split()) for cell in row.select("td")]
        if cells and row.select_one("td strong").get_text() == name:
            return cells
    raise AssertionError(f"no row for {name}")


def test_the_admin_screen_lists_links_with_their_views_and_downloads(client, editor, release, link):
    client.get(link.get_absolute_url(), REMOTE_ADDR="203.0.113.77")
    client.get(link.get_absolute_url(), REMOTE_ADDR="203.0.113.78")
    client.force_login(editor)

    response = client.get(links_url(release))

    assert response.status_code == 200
    recipient, _, state, opened, _ = row_for(response, "Jane Doe")
    assert recipient == "Jane Doe The Daily Ledger jane@ledger.example"
    assert state == "active until the lift made 19:01 EST, Wednesday 27 February 2030 by editor"
    assert opened.startswith("2 times last ") and "download" not in opened
    assert "203.0.113.0/24" in response.content.decode()
    assert "203.0.113.77" not in response.content.decode()


def test_staff_create_a_link_and_see_its_address(staff, release, editor):
    response = staff.post(
        links_url(release), {"name": "Sam Okoro", "email": "sam@example.org", "outlet": "Radio Example"}
    )

    link = AccessLink.objects.get()
    assert (link.item_id, link.name, link.email, link.outlet, link.created_by) == (
        release.pk,
        "Sam Okoro",
        "sam@example.org",
        "Radio Example",
        editor,
    )
    assert response.status_code == 302
    shown = staff.get(response["Location"]).content.decode()
    link.token = shown.split("/embargoed/", 1)[1].split("/", 1)[0]
    assert f'value="{link.get_full_url()}"' in shown
    assert find_access_link(link.token) == link


def test_the_create_form_shows_errors_and_keeps_what_was_typed(staff, release):
    response = staff.post(links_url(release), {"name": "Sam Okoro", "email": "not-an-email", "outlet": ""})

    assert response.status_code == 200
    assert not AccessLink.objects.exists()
    html = response.content.decode()
    assert 'value="Sam Okoro"' in html and "valid email" in html


def test_items_without_an_embargo_get_no_new_links(staff, newsroom):
    article = ArticleFactory(parent=newsroom)

    shown = staff.get(links_url(article))
    posted = staff.post(links_url(article), {"name": "Sam", "email": "sam@example.org", "outlet": ""})

    assert "not under embargo" in shown.content.decode()
    assert posted.status_code == 200 and "not under embargo" in posted.content.decode()
    assert not AccessLink.objects.exists()


def test_staff_revoke_a_link_and_it_stops_working(staff, client, release, link):
    response = staff.post(reverse("embargo_admin:revoke", args=[link.pk]))

    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at == NOW
    assert row_for(staff.get(links_url(release)), "Jane Doe")[2].startswith("revoked")
    client.logout()
    assert client.get(link.get_absolute_url()).status_code == 404


def test_revoking_needs_a_post(staff, link):
    assert staff.get(reverse("embargo_admin:revoke", args=[link.pk])).status_code == 405
    link.refresh_from_db()
    assert link.revoked_at is None


def test_people_without_admin_access_cannot_reach_the_screen(client, django_user_model, release, link):
    assert client.get(links_url(release)).status_code == 302  # to the login page
    client.force_login(django_user_model.objects.create_user("reader", "reader@example.org", "pw"))

    assert client.get(links_url(release)).status_code == 302
    client.post(links_url(release), {"name": "Eve", "email": "eve@example.org", "outlet": ""})
    client.post(reverse("embargo_admin:revoke", args=[link.pk]))
    assert client.get(reverse("embargo_admin:calendar", args=[release.pk])).status_code == 302

    assert list(AccessLink.objects.values_list("name", "revoked_at")) == [("Jane Doe", None)]


def test_staff_who_cannot_edit_the_item_cannot_manage_its_links(client, django_user_model, release, link):
    user = django_user_model.objects.create_user("intern", "intern@example.org", "pw")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    client.force_login(user)

    response = client.get(links_url(release))
    client.post(links_url(release), {"name": "Eve", "email": "eve@example.org", "outlet": ""})
    client.post(reverse("embargo_admin:revoke", args=[link.pk]))

    assert response.status_code == 302
    assert "Jane Doe" not in response.content.decode()
    assert list(AccessLink.objects.values_list("name", "revoked_at")) == [("Jane Doe", None)]


def test_the_page_editor_and_listing_lead_to_the_screen(staff, newsroom, release):
    edit = staff.get(reverse("wagtailadmin_pages:edit", args=[release.pk]))
    listing = staff.get(reverse("wagtailadmin_explore", args=[newsroom.pk]))

    assert edit.status_code == 200 and links_url(release) in edit.content.decode()
    assert links_url(release) in listing.content.decode()


def test_items_that_were_never_embargoed_have_no_journalist_links_button(staff, newsroom):
    article = ArticleFactory(parent=newsroom)

    edit = staff.get(reverse("wagtailadmin_pages:edit", args=[article.pk]))

    assert links_url(article) not in edit.content.decode()


def test_staff_download_the_lift_as_a_calendar_event(staff, release):
    response = staff.get(reverse("embargo_admin:calendar", args=[release.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    [event] = Calendar.from_ical(response.content).events
    assert event.decoded("dtstart") == LIFT
    assert str(event["summary"]) == "Embargo lifts: Pay gap report"
