"""The editor's forms for newsroom items: a new item needs only its headline to save.

Item types with a release line take the embargo as editors enter it: a wall-clock time in the embargo's own zone,
with warnings. An embargo is printed as "00:01 BST, Wednesday 24 May 2023", so editors type it the same way:
2023-05-24 00:01 with the zone Europe/London, whatever zone their own admin account or the server uses. The
rules about wall-clock times (daylight-saving gaps and overlaps, midnight, the past) are pure functions taking
`at`, so they can be tested exhaustively; the form only reads the clock and leaves the warnings on the page for
whoever shows them once it is saved (the embargo app's admin hooks). They live here, with the fields they edit,
so that newsroom needs nothing from the apps above it.
"""

import zoneinfo
from datetime import UTC, date, datetime, time

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.text import slugify
from wagtail.admin.forms.pages import WagtailAdminPageForm
from wagtail.admin.widgets import AdminDateTimeInput

from presscentre.core.dates import admin_instant

# Slugs the archives, feeds, search and journalist links own beneath the index; items may not take them.
RESERVED_SLUGS = frozenset(
    {"category", "author", "feed", "search", "page", "embargoed", "comments", "api", "admin", "press-contacts", "share"}
)


class NewsItemForm(WagtailAdminPageForm):
    """Wagtail's page form, with the slug taken from the headline when the editor leaves it empty.

    The title field fills the slug as it is typed (TitleFieldPanel); this covers what the browser cannot: an
    autosave before the slug field was drawn, a form posted without it, a headline pasted by a script. The slug
    is unique among the item's siblings and never one the press centre's own pages use.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._slug_generated = False
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Filled in from the headline. Change it only before the first publish."
        if "embargo_time_zone" in self.fields:
            self._offer_site_zone_first()

    def _offer_site_zone_first(self) -> None:
        """The embargo's zone picker opens on the site's zone, listed first, then every zone by region."""
        from presscentre.newsroom.models import PressCentreSettings
        from presscentre.newsroom.models.items import time_zone_choices_with_first

        parent = self.parent_page if self.instance.pk is None else self.instance.get_parent()
        site = parent.get_site() if parent is not None else None
        site_zone = PressCentreSettings.for_site(site).time_zone if site is not None else ""
        field = self.fields["embargo_time_zone"]
        first = site_zone or self.instance.embargo_time_zone
        field.choices = time_zone_choices_with_first(first)
        if self.instance.pk is None and not self.is_bound and site_zone:
            self.initial["embargo_time_zone"] = site_zone
        saved = self.instance.embargo_time_zone
        if saved and saved != first and saved not in dict(_flat(field.choices)):
            # A zone saved before the list was narrowed (an old alias) stays selectable until changed.
            field.choices = [*field.choices, ("Saved earlier", [(saved, saved)])]

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        title = self.cleaned_data.get("title") or ""
        from_title = slugify(title, allow_unicode=True)
        # A slug the editor left empty, or the one the headline filled in on a page never published, is the
        # form's to choose: when a sibling has it already, take the next free one rather than refuse the save.
        if not slug or (slug == from_title and not self.instance.first_published_at):
            chosen = self._slug_from_title(title)
            if not chosen:
                raise forms.ValidationError("Type a headline with letters or digits, or choose a slug.")
            self._slug_generated = chosen != slug
            return chosen
        return slug

    def _slug_from_title(self, title: str) -> str:
        base = slugify(title, allow_unicode=True)[:240].strip("-")
        if not base:
            return ""
        parent = self.parent_page if self.instance.pk is None else self.instance.get_parent()
        candidate, suffix = base, 1
        while candidate in RESERVED_SLUGS or not self.instance._slug_is_available(candidate, parent, self.instance):
            suffix += 1
            candidate = f"{base}-{suffix}"
        return candidate

    def get_field_updates_for_resave(self):
        """After an autosave, show the editor the slug the form chose."""
        updates = list(super().get_field_updates_for_resave())
        if self._slug_generated:
            updates.append(("slug", self.cleaned_data["slug"]))
        return updates


def _flat(choices) -> list[tuple[str, str]]:
    flat = []
    for value, label in choices:
        flat.extend(label if isinstance(label, list | tuple) else [(value, label)])
    return flat


EMBARGO_HELP_TEXT = "Local time in the embargo's time zone. Leave empty for immediate release."

# The admin hooks read the form's notes from the page under this attribute (see embargo/wagtail_hooks.py).
NOTES_ATTRIBUTE = "_embargo_messages"


def resolve_wall_clock(wall_clock: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """The instant a naive wall-clock time names in `zone`, in UTC.

    A time skipped when the clocks go forward moves forward by the length of the gap (01:30 on the
    spring-forward night in London becomes 02:30 BST); a time that happens twice when the clocks go back
    is its first occurrence (01:30 BST rather than 01:30 GMT).
    """
    # With fold=0 zoneinfo reads a skipped time with the offset in force before the change, which lands
    # the length of the gap later, and a repeated time as its earlier occurrence. The result is in UTC
    # because Python never finds a repeated local time equal to any datetime in another zone (PEP 495).
    return wall_clock.replace(tzinfo=zone, fold=0).astimezone(UTC)


def wall_clock_of(instant: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """The naive wall-clock time an instant shows in `zone`: what an editor types for it."""
    return instant.astimezone(zone).replace(tzinfo=None)


def is_skipped(wall_clock: datetime, zone: zoneinfo.ZoneInfo) -> bool:
    """Does this wall-clock time fall in a gap, never shown because the clocks went forward?"""
    return wall_clock_of(resolve_wall_clock(wall_clock, zone), zone) != wall_clock


def is_repeated(wall_clock: datetime, zone: zoneinfo.ZoneInfo) -> bool:
    """Does this wall-clock time happen twice, because the clocks went back?"""
    first, second = (wall_clock.replace(tzinfo=zone, fold=fold) for fold in (0, 1))
    return first.utcoffset() != second.utcoffset() and not is_skipped(wall_clock, zone)


def describe_instant(local: datetime) -> str:
    """'00:01 BST, Wednesday 24 May 2023': the wording of the embargo in the admin, in `local`'s own zone."""
    return admin_instant(local, local.tzinfo)


def _day(wall_clock: datetime) -> str:
    return f"{wall_clock:%A} {wall_clock.day} {wall_clock:%B %Y}"


def _zone_label(local: datetime, other: datetime) -> str:
    """The zone's abbreviation, with the UTC offset when both readings share it (e.g. two offsets named +03)."""
    name = local.tzname()
    if name == other.tzname():
        offset = local.strftime("%z")
        return f"{name} (UTC{offset[:3]}:{offset[3:]})"
    return name


def embargo_warnings(wall_clock: datetime, zone: zoneinfo.ZoneInfo, *, at: datetime) -> list[str]:
    """What an editor should double-check about an embargo typed as `wall_clock` in `zone`, judged at `at`.

    Nothing here blocks saving: each is a choice an editor may make on purpose.
    """
    instant = resolve_wall_clock(wall_clock, zone)
    local = instant.astimezone(zone)
    typed = f"{wall_clock:%H:%M}"
    warnings = []
    if is_skipped(wall_clock, zone):
        warnings.append(
            f"{typed} does not exist on {_day(wall_clock)} in {zone.key}: the clocks go forward. "
            f"The embargo was moved to {describe_instant(local)}."
        )
    elif is_repeated(wall_clock, zone):
        first = wall_clock.replace(tzinfo=zone, fold=0)
        second = wall_clock.replace(tzinfo=zone, fold=1)
        warnings.append(
            f"{typed} happens twice on {_day(wall_clock)} in {zone.key}: the clocks go back. "
            f"The first, {typed} {_zone_label(first, second)}, is used, not {typed} {_zone_label(second, first)}."
        )
    if local.hour == 0 and local.minute == 0:
        # Printed as 00:00 even with seconds; journalists read "midnight on Wednesday" as either end of it.
        warnings.append(f"00:00 is ambiguous in print: did you mean 00:01? The embargo is {describe_instant(local)}.")
    if instant <= at:
        warnings.append(
            f"The embargo, {describe_instant(local)}, is in the past: "
            "the item becomes public as soon as it is published."
        )
    return warnings


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as typed, in no zone: the form decides which zone it is in.

    Django's own field reads input in the current (admin user's) time zone and shows aware values in it;
    this one does neither, so "00:01" stays 00:01 until the form combines it with the embargo's zone.
    An ISO 8601 value with an explicit offset stays aware: it already names an instant.
    """

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        if isinstance(value, date):
            return datetime.combine(value, time())
        try:
            result = parse_datetime(value.strip())
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if result is None:
            # Not ISO 8601: try the configured input formats, as Django does (the result is naive).
            result = forms.BaseTemporalField.to_python(self, value)
        return result

    def prepare_value(self, value):
        return value


class EmbargoItemForm(NewsItemForm):
    """The editor's form for item types with a release line.

    The embargo is typed and shown as wall-clock time in its own zone and stored as a UTC instant; the
    publication date follows the embargo; warnings and notes wait on the page for the admin hooks.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._resave_updates: dict[str, datetime] = {}
        generated = self.fields.get("embargo_until")
        if generated is None:
            return
        self.fields["embargo_until"] = WallClockDateTimeField(
            label=generated.label,
            required=generated.required,
            widget=AdminDateTimeInput(),
            help_text=EMBARGO_HELP_TEXT,
        )
        if self.instance.embargo_until is not None:
            self.initial["embargo_until"] = wall_clock_of(self.instance.embargo_until, self._instance_zone())

    def _instance_zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.instance.embargo_time_zone)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            return zoneinfo.ZoneInfo(self.instance._meta.get_field("embargo_time_zone").default)

    @cached_property
    def _lifted_at_in_database(self) -> datetime | None:
        """When the lift ran, from the database row: the instance may come from a revision saved before it."""
        if self.instance.pk is None:
            return None
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        return rows.values_list("embargo_lifted_at", flat=True).first()

    def clean(self):
        cleaned_data = super().clean()
        if "embargo_until" not in self.fields:
            return cleaned_data
        notes: list[tuple[int, str]] = []
        setattr(self.instance, NOTES_ATTRIBUTE, notes)
        wall_clock = cleaned_data.get("embargo_until")
        if wall_clock is None or "embargo_time_zone" in self.errors:
            return cleaned_data
        zone = zoneinfo.ZoneInfo(cleaned_data.get("embargo_time_zone") or self.instance.embargo_time_zone)
        if timezone.is_aware(wall_clock):
            wall_clock = wall_clock_of(wall_clock, zone)
        instant = resolve_wall_clock(wall_clock, zone)
        cleaned_data["embargo_until"] = instant
        if is_skipped(wall_clock, zone):
            self._resave_updates["embargo_until"] = wall_clock_of(instant, zone)

        # Warn about every embargo still to come, not only a changed one: autosave may already have stored
        # the editor's change in a revision by the time they press Publish. Once lifted, stay quiet.
        changed = {"embargo_until", "embargo_time_zone"} & set(self.changed_data)
        if changed or self._lifted_at_in_database is None:
            notes += [(messages.WARNING, text) for text in embargo_warnings(wall_clock, zone, at=timezone.now())]

        published_at = cleaned_data.get("published_at")
        if "published_at" in self.fields and published_at is not None and published_at < instant:
            cleaned_data["published_at"] = self._resave_updates["published_at"] = instant
            notes.append(
                (
                    messages.INFO,
                    f"The publication date is now the embargo lift, {describe_instant(instant.astimezone(zone))}, "
                    "so listings show the day the news breaks.",
                )
            )
        return cleaned_data

    def save(self, commit=True):
        if "embargo_until" in self.fields and self.instance.pk is not None:
            # Publishing a draft saved before the lift would otherwise write "not lifted" back over the
            # lift record, and the item would be lifted (and the press office emailed) a second time.
            self.instance.embargo_lifted_at = self._lifted_at_in_database
        return super().save(commit=commit)

    def get_field_updates_for_resave(self):
        """After an autosave, show the editor what the form changed: the publication date, a moved embargo."""
        updates = list(super().get_field_updates_for_resave())
        for name, value in self._resave_updates.items():
            field = self.fields[name]
            updates.append((name, field.widget.format_value(field.prepare_value(value))))
        return updates
