"""The embargo as editors enter it: a wall-clock time in the embargo's own zone, with warnings.

The form and its wall-clock rules edit fields that live on newsroom's items, so they live in
`presscentre.newsroom.forms` (newsroom imports nothing from the apps above it); they are named here too, as
the embargo's admin hooks and their callers know them.
"""

from presscentre.newsroom.forms import (
    EMBARGO_HELP_TEXT,
    NOTES_ATTRIBUTE,
    EmbargoItemForm,
    WallClockDateTimeField,
    describe_instant,
    embargo_warnings,
    is_repeated,
    is_skipped,
    resolve_wall_clock,
    wall_clock_of,
)

__all__ = [
    "EMBARGO_HELP_TEXT",
    "NOTES_ATTRIBUTE",
    "EmbargoItemForm",
    "WallClockDateTimeField",
    "describe_instant",
    "embargo_warnings",
    "is_repeated",
    "is_skipped",
    "resolve_wall_clock",
    "wall_clock_of",
]
