from datetime import UTC, datetime

import pytest

from presscentre.newsroom.dates import embargo_line
from presscentre.newsroom.tests.factories import PressReleaseFactory

# 23:01 UTC on 23 May 2023 is 00:01 BST on Wednesday 24 May in London, and 09:01 AEST in Sydney.
LIFTS_AT = datetime(2023, 5, 23, 23, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("form", "line"),
    [
        ("line", "EMBARGOED UNTIL 00:01 BST, Wednesday 24th May 2023"),
        ("banner", "EMBARGOED: not for publication until 00:01 BST, Wednesday 24th May 2023"),
        ("sentence", "Embargoed until 00:01 BST, Wednesday 24th May 2023"),
        ("status", "embargoed until 00:01 BST, Wednesday 24 May 2023"),
    ],
)
def test_each_surface_words_the_embargo_its_own_way_around_one_instant(newsroom, form, line):
    release = PressReleaseFactory(parent=newsroom, embargo_until=LIFTS_AT, embargo_time_zone="Europe/London")

    assert embargo_line(release, form) == line


def test_the_embargo_is_stated_in_its_own_zone_whatever_the_readers(newsroom, settings):
    settings.TIME_ZONE = "America/New_York"
    release = PressReleaseFactory(parent=newsroom, embargo_until=LIFTS_AT, embargo_time_zone="Australia/Sydney")

    assert embargo_line(release) == "EMBARGOED UNTIL 09:01 AEST, Wednesday 24th May 2023"


def test_the_page_its_template_and_the_admin_status_use_the_same_line(newsroom):
    release = PressReleaseFactory(parent=newsroom, embargo_until=datetime(2099, 5, 23, 23, 1, tzinfo=UTC))

    assert release.embargo_line() == embargo_line(release)
    assert release.status_string == f"live, {embargo_line(release, 'status')}"
