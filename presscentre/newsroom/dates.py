"""The public site's one date style, the release line and the embargo line, for templates (newsroom_tags), plain
text, emails and admin screens alike."""

import zoneinfo
from datetime import date, datetime, tzinfo
from typing import Literal

from django.utils import dateformat, timezone

from presscentre.core.dates import admin_instant

# "2nd December 2026": listings, the dateline and the release line say every date this way.
LONG_DATE_FORMAT = "jS F Y"
IMMEDIATE_RELEASE_LINE = "FOR IMMEDIATE RELEASE"
# How each surface words an embargo, around the instant it lifts. "status" is the admin's (the page list's status,
# the release picker), written as every admin screen writes an instant; the others write it in the site's style.
EMBARGO_LINES = {
    "line": "EMBARGOED UNTIL {}",  # above a release, in its emails' subjects, plain text, calendar files, panels
    "banner": "EMBARGOED: not for publication until {}",  # across a staff preview of the page
    "sentence": "Embargoed until {}",  # a journalist's copy, the sending confirmation
    "status": "embargoed until {}",  # the admin's page status and release picker
}
EmbargoLineForm = Literal["line", "banner", "sentence", "status"]


def long_date(value: date | datetime | None) -> str:
    """`value` as "2nd December 2026" (a datetime as it is: convert it to the reader's zone first); "" for none."""
    if not value:
        return ""
    return dateformat.format(value, LONG_DATE_FORMAT)


def embargo_line(item, form: EmbargoLineForm = "line") -> str:
    """Every surface's embargo line for `item`: 'EMBARGOED UNTIL 00:01 BST, Wednesday 24th May 2023'.

    The instant is always in the embargo's own zone (the one the editor chose), never the reader's: an embargo is
    stated as the press office set it. `form` picks the surface's wording (EMBARGO_LINES); only "status" writes
    the date in the admin's style ('Wednesday 24 May 2023').
    """
    local = item.embargo_until.astimezone(zoneinfo.ZoneInfo(item.embargo_time_zone))
    if form == "status":
        instant = admin_instant(local, local.tzinfo)
    else:
        instant = f"{local:%H:%M} {local.tzname()}, {local:%A} {long_date(local)}"
    return EMBARGO_LINES[form].format(instant)


def release_line_at(item, *, at: datetime, zone: tzinfo) -> str:
    """The release line of `item` as seen at `at`.

    Before the lift (staff preview, a journalist's copy) it is the embargo line; once the item is public it reads
    as published ("Published 00:01 BST, 24th May 2023", in `zone` and the site's date style), so a public surface
    never says "EMBARGOED UNTIL" after the instant. An item that never had an embargo is "FOR IMMEDIATE RELEASE".
    """
    if item.embargo_until is None:
        return IMMEDIATE_RELEASE_LINE
    if item.is_embargoed_at(at):
        return embargo_line(item)
    published = timezone.localtime(item.published_at, zone)
    return f"Published {published:%H:%M} {published.tzname()}, {long_date(published)}"
