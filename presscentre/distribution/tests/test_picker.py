"""The release picker on the distribution form: newest first, each release with what it is now."""

import re
from datetime import UTC, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from presscentre.distribution.services import format_instant, release_state, releases_newest_first
from presscentre.newsroom.tests.factories import PressReleaseFactory


def picker_options(client) -> list[str]:
    html = client.get(reverse("distributions:add")).content.decode()
    select = re.search(r'<select name="release"[^>]*>(.*?)</select>', html, re.S)[1]
    return [label.strip() for label in re.findall(r"<option value=\"\d+\"[^>]*>(.*?)</option>", select, re.S)]


def test_the_picker_lists_releases_newest_first_with_their_state(newsroom, client, press_officer):
    old_live = PressReleaseFactory(parent=newsroom, title="Old live", published_at=datetime(2024, 1, 1, tzinfo=UTC))
    embargoed = PressReleaseFactory(
        parent=newsroom,
        title="Under embargo",
        published_at=datetime(2024, 2, 1, tzinfo=UTC),
        embargo_until=datetime(2031, 12, 5, 9, 30, tzinfo=UTC),
        embargo_time_zone="Europe/London",
    )
    draft = PressReleaseFactory(parent=newsroom, title="Still a draft", published_at=datetime(2024, 3, 1, tzinfo=UTC))
    draft.unpublish()
    scheduled = PressReleaseFactory(
        parent=newsroom, title="Goes live later", published_at=datetime(2024, 4, 1, tzinfo=UTC)
    )
    scheduled.unpublish()
    scheduled.go_live_at = datetime(2031, 6, 1, 8, 0, tzinfo=UTC)
    scheduled.save_revision().publish()
    lifted = PressReleaseFactory(
        parent=newsroom,
        title="Embargo over",
        published_at=datetime(2024, 5, 1, tzinfo=UTC),
        embargo_until=datetime(2024, 5, 1, 9, 0, tzinfo=UTC),
    )

    assert picker_options(client) == [
        "Embargo over \u2014 live",
        "Goes live later \u2014 scheduled for 04:00 EDT, Sunday 1 June 2031",  # the admin's zone: New York in tests
        "Still a draft \u2014 draft",
        "Under embargo \u2014 embargoed until 09:30 GMT, Friday 5 December 2031",
        "Old live \u2014 live",
    ]
    assert [release.pk for release in releases_newest_first()] == [
        lifted.pk,
        scheduled.pk,
        draft.pk,
        embargoed.pk,
        old_live.pk,
    ]


def test_an_embargoed_release_reads_live_from_the_lift(newsroom):
    lifts_at = datetime(2031, 12, 5, 9, 30, tzinfo=UTC)
    release = PressReleaseFactory(parent=newsroom, embargo_until=lifts_at, embargo_time_zone="Europe/London")

    assert release_state(release, at=lifts_at - timedelta(seconds=1)) == (
        "embargoed until 09:30 GMT, Friday 5 December 2031"
    )
    assert release_state(release, at=lifts_at) == "live"


def test_one_format_for_every_moment_with_the_zone_abbreviation():
    from zoneinfo import ZoneInfo

    summer = datetime(2031, 6, 1, 8, 0, tzinfo=UTC)
    assert format_instant(summer, ZoneInfo("Europe/London")) == "09:00 BST, Sunday 1 June 2031"
    assert format_instant(summer, ZoneInfo("UTC")) == "08:00 UTC, Sunday 1 June 2031"
    with timezone.override("Europe/Paris"):
        assert format_instant(summer) == "10:00 CEST, Sunday 1 June 2031"


def test_choosing_a_draft_is_refused_with_the_reason(newsroom, client, press_officer):
    from presscentre.distribution.tests.factories import MediaListFactory

    draft = PressReleaseFactory(parent=newsroom, title="Still a draft")
    draft.unpublish()

    response = client.post(reverse("distributions:add"), {"release": draft.pk, "lists": [MediaListFactory().pk]})

    assert response.status_code == 200
    assert "Choose a published release" in response.content.decode()
