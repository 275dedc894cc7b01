"""Media contacts in and out of CSV files.

Import is two steps: `read_contacts_csv` checks every row and saves nothing (the preview); `import_contacts`
saves the rows that passed, in one transaction. A file that cannot be read as a contacts table at all
(not UTF-8, no header, no `email` or `name` column, too big) is refused whole with one message.
De-duplication is by email address, whatever its letter case: against existing contacts (which are updated,
never overwritten: empty fields filled, lists and topics added, an opt-out kept) and within the file (the
second row with an address is reported as a duplicate and not imported).
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q

from presscentre.distribution.models import MediaContact, MediaList, normalise_email
from presscentre.newsroom.models import Category

COLUMNS = ["name", "email", "outlet", "role", "phone", "topics", "lists", "consent_basis", "consent_date", "notes"]
REQUIRED = ["name", "email"]
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
SEPARATOR = ";"
TEXT_LIMITS = {"name": 150, "outlet": 150, "role": 150, "phone": 50}


class MalformedFile(ValueError):
    """The file is not a readable contacts table; nothing of it is imported."""


@dataclass
class RowResult:
    """One data row as uploaded, what the import will do with it, and why not if it will not."""

    number: int
    values: dict[str, str]
    action: str = "new"  # new, update, duplicate, error
    errors: list[str] = field(default_factory=list)
    email: str = ""
    topics: list[Category] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    consent_date: date | None = None

    @property
    def importable(self) -> bool:
        return self.action in {"new", "update"}


@dataclass
class ImportPreview:
    columns: list[str]
    rows: list[RowResult]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def new_lists(self) -> list[str]:
        names = {name for row in self.rows if row.importable for name in row.lists}
        existing = {name.lower() for name in MediaList.objects.filter(name__in=names).values_list("name", flat=True)}
        return sorted(name for name in names if name.lower() not in existing)


def decode_upload(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise MalformedFile(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it and import each part.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MalformedFile(
            f"The file is not UTF-8 text (unreadable byte at position {error.start}). "
            "Save it from your spreadsheet as 'CSV UTF-8'."
        ) from error


def read_contacts_csv(text: str) -> ImportPreview:
    """Check every row of a contacts CSV and say what importing it would do. Saves nothing."""
    if "\x00" in text:
        raise MalformedFile("The file is not valid CSV: it contains NUL bytes (is it a spreadsheet, not a CSV?).")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise MalformedFile("The file is empty: it needs a header row (name, email, ...) and one row per contact.")
        columns = [cell.strip().lower() for cell in header]
        missing = [column for column in REQUIRED if column not in columns]
        if missing:
            raise MalformedFile(
                f"The header row has no {' or '.join(repr(column) for column in missing)} column. "
                f"Expected columns: {', '.join(COLUMNS)}."
            )
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise MalformedFile(f"The file has more than {MAX_ROWS:,} contacts; split it and import each part.")
            rows.append(_row(number, columns, cells))
    except csv.Error as error:
        raise MalformedFile(f"The file is not valid CSV (line {reader.line_num}): {error}.") from error
    if not rows:
        raise MalformedFile("The file has a header row but no contacts.")
    _check_rows(rows)
    return ImportPreview(columns=columns, rows=rows)


def _row(number: int, columns: list[str], cells: list[str]) -> RowResult:
    values = {column: (cells[index].strip() if index < len(cells) else "") for index, column in enumerate(columns)}
    row = RowResult(number=number, values=values)
    if len(cells) != len(columns):
        row.errors.append(f"This row has {len(cells)} fields; the header has {len(columns)}.")
    return row


def _check_rows(rows: list[RowResult]) -> None:
    """Validate each row, then de-duplicate within the file and against existing contacts (two queries)."""
    categories = {}
    for category in Category.objects.all():
        categories[category.name.lower()] = category
        categories[category.slug.lower()] = category
    first_row_of: dict[str, int] = {}
    for row in rows:
        _validate(row, categories)
        if row.errors:
            row.action = "error"
            continue
        if row.email in first_row_of:
            row.action = "duplicate"
            row.errors.append(f"Same email address as row {first_row_of[row.email]}; only that row is imported.")
            continue
        first_row_of[row.email] = row.number
    existing = set(MediaContact.objects.filter(email__in=list(first_row_of)).values_list("email", flat=True))
    for row in rows:
        if row.action == "new" and row.email in existing:
            row.action = "update"


def _validate(row: RowResult, categories: dict[str, Category]) -> None:
    values = row.values
    if not values.get("name"):
        row.errors.append("The name is empty.")
    row.email = normalise_email(values.get("email", ""))
    try:
        validate_email(row.email)
    except ValidationError:
        row.errors.append(
            f"'{values.get('email', '')}' is not an email address." if row.email else "The email is empty."
        )
    for column, limit in TEXT_LIMITS.items():
        if len(values.get(column, "")) > limit:
            row.errors.append(f"The {column} is longer than {limit} characters.")
    for name in _split(values.get("topics", "")):
        category = categories.get(name.lower())
        if category is None:
            row.errors.append(f"No topic called '{name}'.")
        else:
            row.topics.append(category)
    row.lists = [name[:150] for name in _split(values.get("lists", ""))]
    basis = values.get("consent_basis", "").strip().lower().replace(" ", "_")
    if basis and basis not in MediaContact.ConsentBasis.values:
        row.errors.append(f"Consent basis must be one of: {', '.join(MediaContact.ConsentBasis.values)}.")
    raw_date = values.get("consent_date", "")
    if raw_date:
        try:
            row.consent_date = date.fromisoformat(raw_date)
        except ValueError:
            row.errors.append(f"'{raw_date}' is not a date like 2026-05-24.")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(SEPARATOR) if part.strip()]


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    not_imported: int = 0


def import_contacts(text: str, *, add_to: MediaList | None = None) -> ImportSummary:
    """Check the file again and save its good rows in one transaction: new contacts created, existing ones
    (same address, any case) completed. Raises MalformedFile, and saves nothing, if the file is unreadable
    or changed under us. Importing the same file twice creates nothing the second time."""
    preview = read_contacts_csv(text)
    summary = ImportSummary(not_imported=sum(1 for row in preview.rows if not row.importable))
    try:
        with transaction.atomic():
            lists = _lists_by_name({name for row in preview.rows if row.importable for name in row.lists})
            existing = {
                contact.email: contact
                for contact in MediaContact.objects.filter(
                    email__in=[row.email for row in preview.rows if row.importable]
                )
            }
            for row in preview.rows:
                if not row.importable:
                    continue
                contact = existing.get(row.email)
                if contact is None:
                    contact = _create(row)
                    summary.created += 1
                else:
                    _complete(contact, row)
                    summary.updated += 1
                contact.topics.add(*row.topics)
                contact.lists.add(*[lists[name.lower()] for name in row.lists], *([add_to] if add_to else []))
    except IntegrityError as error:
        raise MalformedFile(
            "Another change to the contacts happened at the same time; preview the file again."
        ) from error
    return summary


def _lists_by_name(names: set[str]) -> dict[str, MediaList]:
    found = {}
    query = Q()
    for name in names:
        query |= Q(name__iexact=name)
    if names:
        for media_list in MediaList.objects.filter(query):
            found[media_list.name.lower()] = media_list
    for name in sorted(names):
        if name.lower() not in found:
            found[name.lower()] = MediaList.objects.create(name=name)
    return found


def _create(row: RowResult) -> MediaContact:
    values = row.values
    return MediaContact.objects.create(
        name=values["name"],
        email=row.email,
        outlet=values.get("outlet", ""),
        role=values.get("role", ""),
        phone=values.get("phone", ""),
        notes=values.get("notes", ""),
        consent_basis=values.get("consent_basis", "").strip().lower().replace(" ", "_")
        or MediaContact.ConsentBasis.LEGITIMATE_INTEREST,
        consent_date=row.consent_date,
    )


def _complete(contact: MediaContact, row: RowResult) -> None:
    changed = []
    for column in ("outlet", "role", "phone", "notes"):
        if not getattr(contact, column) and row.values.get(column):
            setattr(contact, column, row.values[column])
            changed.append(column)
    if contact.consent_date is None and row.consent_date:
        contact.consent_date = row.consent_date
        changed.append("consent_date")
    if changed:
        contact.save(update_fields=changed)


def _safe_cell(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: a contact's name must never run as one.
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def export_rows(contacts: Iterable[MediaContact]) -> Iterator[list[str]]:
    """The header and one row per contact, in the import's columns, so an export can be re-imported."""
    yield COLUMNS
    for contact in contacts:
        yield [
            _safe_cell(value)
            for value in (
                contact.name,
                contact.email,
                contact.outlet,
                contact.role,
                contact.phone,
                SEPARATOR.join(topic.name for topic in contact.topics.all()),
                SEPARATOR.join(media_list.name for media_list in contact.lists.all()),
                contact.consent_basis,
                contact.consent_date.isoformat() if contact.consent_date else "",
                contact.notes,
            )
        ]


def export_csv_lines(contacts) -> Iterator[str]:
    """CSV text a line at a time, for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in export_rows(contacts.prefetch_related("topics", "lists").iterator(chunk_size=500)):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
