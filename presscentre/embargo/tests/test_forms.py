import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from wagtail.models import PageLogEntry
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from presscentre.embargo.forms import (
    EMBARGO_HELP_TEXT,
    WallClockDateTimeField,
    embargo_warnings,
    resolve_wall_clock,
    wall_clock_of,
)
from presscentre.embargo.services import lift_embargo
from presscentre.newsroom.models import PressReleasePage
from presscentre.newsroom.tests.factories import PressReleaseFactory, ReportFactory

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")
LONG_AGO = datetime(1900, 1, 1, tzinfo=UTC)


def warnings_about(wall_clock, zone, *, at=LONG_AGO):
    return embargo_warnings(wall_clock, zone, at=at)


# Wall-clock rules, as pure functions


@pytest.mark.parametrize(
    ("zone", "wall_clock", "instant"),
    [
        (LONDON, datetime(2023, 5, 24, 0, 1), datetime(2023, 5, 23, 23, 1, tzinfo=UTC)),
        (LONDON, datetime(2023, 1, 10, 9, 0), datetime(2023, 1, 10, 9, 0, tzinfo=UTC)),
        (NEW_YORK, datetime(2023, 7, 4, 9, 0), datetime(2023, 7, 4, 13, 0, tzinfo=UTC)),
        (SYDNEY, datetime(2023, 1, 10, 6, 0), datetime(2023, 1, 9, 19, 0, tzinfo=UTC)),
        (SYDNEY, datetime(2023, 7, 10, 6, 0), datetime(2023, 7, 9, 20, 0, tzinfo=UTC)),
        (KOLKATA, datetime(2023, 5, 24, 0, 1), datetime(2023, 5, 23, 18, 31, tzinfo=UTC)),
        (UTC, datetime(2023, 5, 24, 0, 1), datetime(2023, 5, 24, 0, 1, tzinfo=UTC)),
    ],
)
def test_an_ordinary_wall_clock_time_names_one_instant_and_raises_no_warning(zone, wall_clock, instant):
    resolved = resolve_wall_clock(wall_clock, zone)

    assert resolved == instant
    assert wall_clock_of(resolved, zone) == wall_clock
    assert warnings_about(wall_clock, zone) == []


@pytest.mark.parametrize(
    ("zone", "wall_clock", "instant", "moved_to"),
    [
        (LONDON, datetime(2023, 3, 26, 1, 30), datetime(2023, 3, 26, 1, 30, tzinfo=UTC), "02:30 BST"),
        (NEW_YORK, datetime(2023, 3, 12, 2, 30), datetime(2023, 3, 12, 7, 30, tzinfo=UTC), "03:30 EDT"),
        (SYDNEY, datetime(2023, 10, 1, 2, 30), datetime(2023, 9, 30, 16, 30, tzinfo=UTC), "03:30 AEDT"),
    ],
)
def test_a_time_skipped_when_the_clocks_go_forward_moves_forward_with_a_warning(zone, wall_clock, instant, moved_to):
    resolved = resolve_wall_clock(wall_clock, zone)

    assert resolved == instant
    [warning] = warnings_about(wall_clock, zone)
    assert f"{wall_clock:%H:%M} does not exist on {wall_clock:%A} {wall_clock.day} {wall_clock:%B %Y}" in warning
    assert f"moved to {moved_to}, " in warning


@pytest.mark.parametrize(
    ("zone", "wall_clock", "instant", "first", "second"),
    [
        (LONDON, datetime(2023, 10, 29, 1, 30), datetime(2023, 10, 29, 0, 30, tzinfo=UTC), "BST", "GMT"),
        (NEW_YORK, datetime(2023, 11, 5, 1, 30), datetime(2023, 11, 5, 5, 30, tzinfo=UTC), "EDT", "EST"),
        (SYDNEY, datetime(2023, 4, 2, 2, 30), datetime(2023, 4, 1, 15, 30, tzinfo=UTC), "AEDT", "AEST"),
    ],
)
def test_a_time_that_happens_twice_uses_the_first_with_a_warning(zone, wall_clock, instant, first, second):
    resolved = resolve_wall_clock(wall_clock, zone)

    assert resolved == instant
    assert resolved.astimezone(zone).tzname() == first
    [warning] = warnings_about(wall_clock, zone)
    typed = f"{wall_clock:%H:%M}"
    assert "happens twice" in warning
    assert f"The first, {typed} {first}, is used, not {typed} {second}." in warning


@pytest.mark.parametrize("zone", [KOLKATA, UTC])
@pytest.mark.parametrize(
    "wall_clock",
    [
        datetime(2023, 3, 26, 1, 30),
        datetime(2023, 10, 29, 1, 30),
        datetime(2023, 3, 12, 2, 30),
        datetime(2023, 11, 5, 1, 30),
        datetime(2023, 10, 1, 2, 30),
        datetime(2023, 4, 2, 2, 30),
    ],
)
def test_zones_without_daylight_saving_never_warn_about_gaps_or_overlaps(zone, wall_clock):
    assert wall_clock_of(resolve_wall_clock(wall_clock, zone), zone) == wall_clock
    assert warnings_about(wall_clock, zone) == []


@pytest.mark.parametrize("zone", [LONDON, NEW_YORK, SYDNEY, KOLKATA, UTC])
def test_midnight_is_ambiguous_in_print_but_a_minute_past_is_not(zone):
    [warning] = warnings_about(datetime(2023, 5, 24, 0, 0), zone)

    assert warning.startswith("00:00 is ambiguous in print: did you mean 00:01?")
    assert "Wednesday 24 May 2023" in warning
    assert warnings_about(datetime(2023, 5, 24, 0, 1), zone) == []


def test_an_embargo_reached_at_the_instant_is_in_the_past():
    wall_clock = datetime(2023, 5, 24, 0, 1)
    instant = datetime(2023, 5, 23, 23, 1, tzinfo=UTC)

    assert warnings_about(wall_clock, LONDON, at=instant - timedelta(seconds=1)) == []
    [warning] = warnings_about(wall_clock, LONDON, at=instant)
    assert warning == (
        "The embargo, 00:01 BST, Wednesday 24 May 2023, is in the past: "
        "the item becomes public as soon as it is published."
    )


def test_warnings_add_up():
    warnings = warnings_about(datetime(2023, 3, 26, 1, 30), LONDON, at=datetime(2024, 1, 1, tzinfo=UTC))

    assert len(warnings) == 2
    assert "does not exist" in warnings[0]
    assert "in the past" in warnings[1]


# The property: checked against an oracle that finds every instant showing a wall-clock time by trying each
# offset the zone used within a day and a half either side, without relying on zoneinfo's fold rules.

ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "UTC",
    "Europe/Dublin",  # "negative" daylight saving: winter time is the exception
    "Australia/Lord_Howe",  # a half-hour change
    "Pacific/Apia",  # skipped a whole day in 2011
    "America/Sao_Paulo",  # changed at midnight while it had daylight saving
    "America/St_Johns",
    "Pacific/Chatham",
    "Asia/Tehran",
]


def instants_showing(wall_clock: datetime, zone: ZoneInfo) -> set[datetime]:
    as_if_utc = wall_clock.replace(tzinfo=UTC)
    offsets = {(as_if_utc + timedelta(hours=hours)).astimezone(zone).utcoffset() for hours in range(-36, 37)}
    candidates = {as_if_utc - offset for offset in offsets}
    return {instant for instant in candidates if wall_clock_of(instant, zone) == wall_clock}


@settings(max_examples=1000, deadline=None, database=None)
@given(
    wall_clock=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31)),
    zone_name=st.sampled_from(ZONES),
)
def test_a_resolved_wall_clock_reads_back_unless_it_was_skipped(wall_clock, zone_name):
    zone = ZoneInfo(zone_name)

    resolved = resolve_wall_clock(wall_clock, zone)
    warnings = warnings_about(wall_clock, zone)

    assert resolved.utcoffset() is not None
    readings = instants_showing(wall_clock, zone)
    skipped = any("does not exist" in warning for warning in warnings)
    repeated = any("happens twice" in warning for warning in warnings)
    assert skipped == (not readings)
    assert repeated == (len(readings) == 2)
    if skipped:
        assert timedelta(0) < wall_clock_of(resolved, zone) - wall_clock <= timedelta(days=1)
    else:
        assert wall_clock_of(resolved, zone) == wall_clock
        assert resolved == min(readings)


@given(
    wall_clock=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31)),
    zone_name=st.sampled_from(ZONES),
)
@settings(max_examples=300, deadline=None, database=None)
def test_only_an_instant_that_has_come_is_in_the_past(wall_clock, zone_name):
    zone = ZoneInfo(zone_name)
    instant = resolve_wall_clock(wall_clock, zone)

    def says_past(at):
        return any("in the past" in warning for warning in warnings_about(wall_clock, zone, at=at))

    assert says_past(instant)
    assert not says_past(instant - timedelta(microseconds=1))


def test_the_wall_clock_field_ignores_the_current_time_zone():
    field = WallClockDateTimeField(required=False)

    with timezone.override("Asia/Tokyo"):
        assert field.clean("2023-05-24 00:01") == datetime(2023, 5, 24, 0, 1)
        assert field.clean("2023-05-24T00:01:00+01:00") == datetime(2023, 5, 23, 23, 1, tzinfo=UTC)
        assert field.prepare_value(datetime(2023, 5, 24, 0, 1)) == datetime(2023, 5, 24, 0, 1)
    assert field.clean("") is None


# The admin forms

NOW = datetime(2023, 5, 1, 12, 0, tzinfo=UTC)
LIFT = datetime(2023, 5, 23, 23, 1, tzinfo=UTC)  # 00:01 BST, Wednesday 24 May 2023


@pytest.fixture
def clock():
    with time_machine.travel(NOW):
        yield


@pytest.fixture
def admin_client(client, editor, clock):
    client.force_login(editor)
    return client


def release_data(*, publish=True, **fields) -> dict:
    data = {
        "title": "Rents outpace wages again",
        "slug": "rents-outpace-wages",
        "subheadline": "",
        "published_at": "2023-05-01 09:30",
        "embargo_until": "",
        "embargo_time_zone": "Europe/London",
        "dateline_place": "",
        "lead": "Rents rose faster than pay.",
        "summary": "",
        "category_links": inline_formset([]),
        "person_links": inline_formset([]),
        "contact_links": inline_formset([]),
        "media_assets": inline_formset([]),
        "body": streamfield([("paragraph", rich_text("<p>Rents are up.</p>"))]),
        "notes_to_editors": rich_text("<p>Data from the survey.</p>"),
        "boilerplate": "",
        "comments_open": "",
        **fields,
    }
    if publish:
        data["action-publish"] = "publish"
    return nested_form_data(data)


def create_release(client, newsroom, **fields):
    url = reverse("wagtailadmin_pages:add", args=["newsroom", "pressreleasepage", newsroom.pk])
    response = client.post(url, release_data(**fields))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert "/login/" not in response["Location"]
    return response, PressReleasePage.objects.get(slug="rents-outpace-wages")


def edit_release(client, release, **fields):
    response = client.post(reverse("wagtailadmin_pages:edit", args=[release.pk]), release_data(**fields))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert "/login/" not in response["Location"]
    release.refresh_from_db()
    return response


def shown_messages(response, level=None):
    return [m.message for m in get_messages(response.wsgi_request) if level is None or m.level == level]


def embargo_entries(release, action):
    return PageLogEntry.objects.filter(page=release, action=action)


@pytest.mark.parametrize(
    ("zone", "instant"),
    [
        ("Europe/London", LIFT),
        ("America/New_York", datetime(2023, 5, 24, 4, 1, tzinfo=UTC)),
        ("Asia/Kolkata", datetime(2023, 5, 23, 18, 31, tzinfo=UTC)),
    ],
)
def test_editors_type_the_embargo_in_its_own_zone_not_their_own(newsroom, admin_client, settings, zone, instant):
    assert settings.TIME_ZONE == "America/New_York"

    _, release = create_release(admin_client, newsroom, embargo_until="2023-05-24 00:01", embargo_time_zone=zone)

    assert release.embargo_until == instant
    assert release.embargo_time_zone == zone
    assert release.live


def test_the_edit_form_shows_the_stored_instant_in_the_embargo_zone(newsroom, admin_client):
    release = PressReleaseFactory(parent=newsroom, embargo_until=LIFT, embargo_time_zone="Europe/London")

    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[release.pk]))

    field = response.context["form"]["embargo_until"]
    assert field.value() == datetime(2023, 5, 24, 0, 1)
    assert field.help_text == EMBARGO_HELP_TEXT
    assert 'value="2023-05-24 00:01"' in response.text


def test_reports_take_their_embargo_in_its_own_zone_too(newsroom, admin_client):
    report = ReportFactory(parent=newsroom, embargo_until=LIFT, embargo_time_zone="Australia/Sydney")

    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[report.pk]))

    assert response.context["form"]["embargo_until"].value() == datetime(2023, 5, 24, 9, 1)


def test_typing_the_shown_value_back_keeps_the_instant(newsroom, admin_client):
    _, release = create_release(admin_client, newsroom, embargo_until="2023-05-24 00:01")

    edit_release(admin_client, release, embargo_until="2023-05-24 00:01")

    assert release.embargo_until == LIFT
    assert not PageLogEntry.objects.filter(page=release, action__startswith="presscentre.embargo.").exists()


def test_an_embargo_in_a_daylight_saving_gap_is_saved_with_a_warning(newsroom, admin_client):
    response, release = create_release(admin_client, newsroom, embargo_until="2023-03-26 01:30", publish=False)

    assert release.embargo_until == datetime(2023, 3, 26, 1, 30, tzinfo=UTC)  # 02:30 BST
    warnings = shown_messages(response, messages.WARNING)
    assert any("01:30 does not exist" in warning and "moved to 02:30 BST" in warning for warning in warnings)
    assert any("in the past" in warning for warning in warnings)


def test_an_embargo_in_an_overlap_uses_the_first_occurrence_with_a_warning(newsroom, admin_client):
    response, release = create_release(admin_client, newsroom, embargo_until="2023-10-29 01:30")

    assert release.embargo_until == datetime(2023, 10, 29, 0, 30, tzinfo=UTC)
    assert any("The first, 01:30 BST, is used" in warning for warning in shown_messages(response, messages.WARNING))


def test_a_midnight_embargo_is_saved_with_a_warning(newsroom, admin_client):
    response, release = create_release(admin_client, newsroom, embargo_until="2023-05-24 00:00")

    assert release.embargo_until == datetime(2023, 5, 23, 23, 0, tzinfo=UTC)
    assert any(
        warning.startswith("00:00 is ambiguous in print: did you mean 00:01?")
        for warning in shown_messages(response, messages.WARNING)
    )


def test_warnings_survive_the_redirect_after_publishing_an_edit(newsroom, admin_client):
    _, release = create_release(admin_client, newsroom, embargo_until="2023-05-24 00:01")

    response = admin_client.post(
        reverse("wagtailadmin_pages:edit", args=[release.pk]),
        release_data(embargo_until="2023-05-25 00:00"),
        follow=True,
    )

    shown = [str(message) for message in response.context["messages"]]
    assert any(message.startswith("00:00 is ambiguous in print") for message in shown)


def test_a_well_chosen_embargo_gives_no_warning(newsroom, admin_client):
    response, _ = create_release(admin_client, newsroom, embargo_until="2023-05-24 00:01")

    assert shown_messages(response, messages.WARNING) == []


def test_the_publication_date_follows_the_embargo(newsroom, admin_client):
    response, release = create_release(
        admin_client, newsroom, embargo_until="2023-05-24 00:01", published_at="2023-05-01 09:30"
    )

    assert release.published_at == LIFT
    assert (
        "The publication date is now the embargo lift, 00:01 BST, Wednesday 24 May 2023, "
        "so listings show the day the news breaks."
    ) in shown_messages(response, messages.INFO)


def test_a_publication_date_after_the_embargo_is_kept(newsroom, admin_client):
    response, release = create_release(
        admin_client, newsroom, embargo_until="2023-05-24 00:01", published_at="2023-06-01 09:00"
    )

    assert release.published_at == datetime(2023, 6, 1, 13, 0, tzinfo=UTC)  # 09:00 in New York
    assert shown_messages(response, messages.INFO) == []


def test_without_an_embargo_the_publication_date_is_as_typed(newsroom, admin_client):
    response, release = create_release(admin_client, newsroom, published_at="2023-05-01 09:30")

    assert release.embargo_until is None
    assert release.published_at == datetime(2023, 5, 1, 13, 30, tzinfo=UTC)
    assert shown_messages(response, messages.WARNING) == []


def test_moving_a_published_embargo_is_audit_logged(newsroom, admin_client, editor):
    _, release = create_release(admin_client, newsroom, embargo_until="2023-05-24 00:01")

    edit_release(admin_client, release, embargo_until="2023-05-25 00:01")

    assert release.embargo_until == datetime(2023, 5, 24, 23, 1, tzinfo=UTC)
    entry = embargo_entries(release, "presscentre.embargo.move").get()
    assert entry.user == editor
    assert entry.data == {"from": "2023-05-23T23:01:00+00:00", "to": "2023-05-24T23:01:00+00:00"}
    assert release.published_at == release.embargo_until


def test_moving_the_embargo_to_another_zone_is_a_move(newsroom, admin_client):
    _, release = create_release(admin_client, newsroom, embargo_until="2023-05-24 00:01")

    edit_release(admin_client, release, embargo_until="2023-05-24 00:01", embargo_time_zone="America/New_York")

    entry = embargo_entries(release, "presscentre.embargo.move").get()
    assert entry.data["to"] == "2023-05-24T04:01:00+00:00"


def test_cancelling_a_published_embargo_is_audit_logged(newsroom, admin_client, editor):
    _, release = create_release(admin_client, newsroom, embargo_until="2023-05-24 00:01")

    edit_release(admin_client, release, embargo_until="")

    assert release.embargo_until is None
    entry = embargo_entries(release, "presscentre.embargo.cancel").get()
    assert entry.user == editor
    assert entry.data == {"from": "2023-05-23T23:01:00+00:00"}


def test_a_moved_embargo_in_a_saved_draft_is_logged_when_it_is_published(newsroom, admin_client):
    _, release = create_release(admin_client, newsroom, embargo_until="2023-05-24 00:01")

    edit_release(admin_client, release, embargo_until="2023-05-25 00:01", publish=False)

    assert release.embargo_until == LIFT  # the live page keeps its embargo until the draft is published
    assert not embargo_entries(release, "presscentre.embargo.move").exists()

    edit_release(admin_client, release, embargo_until="2023-05-25 00:01")

    entry = embargo_entries(release, "presscentre.embargo.move").get()
    assert entry.data == {"from": "2023-05-23T23:01:00+00:00", "to": "2023-05-24T23:01:00+00:00"}


def test_embargo_changes_before_the_first_publication_are_not_logged(newsroom, admin_client):
    _, release = create_release(admin_client, newsroom, embargo_until="2023-05-24 00:01", publish=False)

    edit_release(admin_client, release, embargo_until="2023-05-25 00:01", publish=False)
    edit_release(admin_client, release, embargo_until="")

    assert not PageLogEntry.objects.filter(page=release, action__startswith="presscentre.embargo.").exists()


def test_changing_a_lifted_embargo_is_not_a_move(newsroom, admin_client, editor):
    _, release = create_release(admin_client, newsroom, embargo_until="2023-05-24 00:01")
    assert lift_embargo(release, at=LIFT)

    with time_machine.travel(LIFT + timedelta(days=1)):
        admin_client.force_login(editor)  # the session has expired by then
        edit_release(admin_client, release, embargo_until="2023-05-24 00:02")

    assert not embargo_entries(release, "presscentre.embargo.move").exists()


def test_a_lifted_embargo_raises_no_warning_when_the_item_is_edited(newsroom, admin_client, editor):
    _, release = create_release(admin_client, newsroom, embargo_until="2023-05-24 00:01")
    assert lift_embargo(release, at=LIFT)

    with time_machine.travel(LIFT + timedelta(days=1)):
        admin_client.force_login(editor)  # the session has expired by then
        response = edit_release(admin_client, release, embargo_until="2023-05-24 00:01", title="Rents: corrected")

    assert release.title == "Rents: corrected"
    assert shown_messages(response, messages.WARNING) == []


def test_publishing_a_draft_saved_before_the_lift_keeps_the_lift(newsroom, admin_client, editor):
    _, release = create_release(admin_client, newsroom, embargo_until="2023-05-24 00:01")
    edit_release(admin_client, release, embargo_until="2023-05-24 00:01", title="Rents: draft", publish=False)
    assert lift_embargo(release, at=LIFT)

    with time_machine.travel(LIFT + timedelta(hours=1)):
        admin_client.force_login(editor)  # the session has expired by then
        edit_release(admin_client, release, embargo_until="2023-05-24 00:01", title="Rents: draft")

    assert release.title == "Rents: draft"
    assert release.embargo_lifted_at == LIFT


def test_an_autosave_queues_no_messages_but_updates_the_publication_date(newsroom, admin_client):
    url = reverse("wagtailadmin_pages:add", args=["newsroom", "pressreleasepage", newsroom.pk])

    response = admin_client.post(
        url,
        release_data(embargo_until="2023-03-26 01:30", published_at="2023-03-01 09:00", publish=False),
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 200
    payload = json.loads(response.content)
    assert payload["success"] is True
    updates = dict(payload["field_updates"])
    assert updates["embargo_until"] == "2023-03-26 02:30"
    assert updates["published_at"] == "2023-03-25 21:30"  # 01:30 UTC shown in the admin's New York time
    assert list(get_messages(response.wsgi_request)) == []
