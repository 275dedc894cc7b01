"""The public site's one date style and the release line, for templates (newsroom_tags) and plain text alike."""

from datetime import date, datetime, tzinfo

from django.utils import dateformat, timezone

# "2nd December 2026": listings, the dateline and the release line say every date this way.
LONG_DATE_FORMAT = "jS F Y"
IMMEDIATE_RELEASE_LINE = "FOR IMMEDIATE RELEASE"


def long_date(value: date | datetime | None) -> str:
    """`value` as "2nd December 2026" (a datetime as it is: convert it to the reader's zone first); "" for none."""
    if not value:
        return ""
    return dateformat.format(value, LONG_DATE_FORMAT)


def release_line_at(item, *, at: datetime, zone: tzinfo) -> str:
    """The release line of `item` as seen at `at`.

    Before the lift (staff preview, a journalist's copy) it is the embargo line; once the item is public it reads
    as published ("Published 00:01 BST, 24th May 2023", in `zone` and the site's date style), so a public surface
    never says "EMBARGOED UNTIL" after the instant. An item that never had an embargo is "FOR IMMEDIATE RELEASE".
    """
    if item.embargo_until is None:
        return IMMEDIATE_RELEASE_LINE
    if item.is_embargoed_at(at):
        return item.embargo_line()
    published = timezone.localtime(item.published_at, zone)
    return f"Published {published:%H:%M} {published.tzname()}, {long_date(published)}"
