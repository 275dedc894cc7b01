"""Demo content for a fictional UK think tank, so a fresh install has a press centre worth looking at.

The content lives in `demo_data/*.toml` next to this module: the institute, its categories, people, press
contacts, the paragraphs each topic shares, and one file per item type. This module reads those files once, on
import, and holds the loader. Everything in them is original text written for this project; the institute,
its people, the outlets and the figures are invented. Titles and slugs are fixed; only the dates move, counted
back from the moment of loading, so the newest item is always a few days old. Loading is idempotent: objects are
looked up by slug (or another natural key) and anything already present is left exactly as it is.
"""

import io
import math
import sys
import tomllib
import wave
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from wagtail.documents import get_document_model
from wagtail.documents.models import AbstractDocument
from wagtail.models import Page, ReferenceIndex, Site
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.utils.file import hash_filelike

from presscentre.core.urls_public import public_base_url
from presscentre.newsroom.models import (
    ArticlePage,
    Boilerplate,
    Category,
    DefaultPressContact,
    ItemCategory,
    ItemPerson,
    MediaAppearancePage,
    NewsItemPage,
    Person,
    PressCentrePage,
    PressCentreSettings,
    PressContact,
    PressReleasePage,
    ReportDocument,
    ReportPage,
)
from presscentre.newsroom.signals import demo_embargo_moved

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
DEFAULT_ADMIN_USERNAME = "admin"
# A local demo credential, printed to whoever runs the loader; never used outside a demo database.
DEFAULT_ADMIN_PASSWORD = "presscentre-demo"  # noqa: S105
LONDON = ZoneInfo("Europe/London")

# Wagtail's first migration creates this page as the default site's root; the press centre replaces it.
WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"


def read_demo_file(name: str) -> dict[str, Any]:
    """One of the demo's data files, parsed."""
    with (DATA_DIR / name).open("rb") as data:
        return tomllib.load(data)


@dataclass(frozen=True)
class DemoCategory:
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class DemoPerson:
    slug: str
    name: str
    role: str
    bio: str
    topics: tuple[str, ...]
    available_for_comment: bool
    languages: str = ""
    availability: str = ""


@dataclass(frozen=True)
class DemoPressContact:
    email: str
    name: str
    role: str
    phone: str
    out_of_hours_phone: str
    topic: str = ""  # a category slug: the contact for journalists on that beat; none for the press office's own


@dataclass(frozen=True)
class TopicText:
    """Paragraphs shared by every item on a topic, so each item needs only its own opening."""

    heading: str
    context: str
    closing: str
    quotes: tuple[str, str]
    note: str
    method: str


@dataclass(frozen=True)
class DemoItem:
    """One item in the demo press centre; `details` holds the fields of its own type."""

    kind: type[NewsItemPage]
    slug: str
    title: str
    days_ago: int
    topic: str
    people: tuple[str, ...]
    opening: str
    details: dict = field(default_factory=dict)
    time_of_day: time = time(9, 30)


@dataclass(frozen=True)
class ItemFields:
    """The fields an item type's data file gives beyond the common ones; `defaults` fill the ones left out."""

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)


COMMON_ITEM_FIELDS = ("slug", "title", "days_ago", "topic", "people", "opening")
ITEM_FILES = {
    "press_releases.toml": (PressReleasePage, ItemFields(required=("subheadline", "lead"), optional=("embargoed",))),
    "articles.toml": (ArticlePage, ItemFields(optional=("excerpt_only", "comments_open"), defaults={"outlet": ""})),
    "reports.toml": (ReportPage, ItemFields(required=("report_title", "summary", "findings"), defaults={"pdf": False})),
    "appearances.toml": (
        MediaAppearancePage,
        ItemFields(required=("outlet", "programme"), optional=("recording_url", "audio", "transcript")),
    ),
}


def read_demo_items(name: str, data: dict[str, Any]) -> tuple[DemoItem, ...]:
    """The items of one item-type file, in file order; raises ValueError on a missing or unknown field."""
    kind, fields = ITEM_FILES[name]
    allowed = {*COMMON_ITEM_FIELDS, *fields.required, *fields.optional, *fields.defaults}
    items = []
    for row in data.get("item", []):
        missing = [key for key in (*COMMON_ITEM_FIELDS, *fields.required) if key not in row]
        unknown = sorted(set(row) - allowed)
        if missing or unknown:
            raise ValueError(f"{name}: item {row.get('slug', '?')!r} lacks {missing} or has unknown fields {unknown}")
        values = {key: tuple(value) if isinstance(value, list) else value for key, value in row.items()}
        common = {key: values.pop(key) for key in COMMON_ITEM_FIELDS}
        details = {**fields.defaults, **values}
        items.append(DemoItem(kind, **common, details=details, time_of_day=data["published_time"]))
    return tuple(items)


_SITE = read_demo_file("site.toml")
ORGANISATION_NAME = _SITE["organisation_name"]
INDEX_SLUG = _SITE["index_slug"]
INDEX_TITLE = _SITE["index_title"]
INDEX_INTRO = _SITE["index_intro"]
PRESS_OFFICE_EMAIL = _SITE["press_office_email"]
BOILERPLATE_NAME = _SITE["boilerplate"]["name"]
BOILERPLATE_TEXT = _SITE["boilerplate"]["text"]
OUTLET_DOMAINS: dict[str, str] = _SITE["outlet_domains"]

CATEGORIES = tuple(DemoCategory(**row) for row in read_demo_file("categories.toml")["category"])
PEOPLE = tuple(DemoPerson(**{**row, "topics": tuple(row["topics"])}) for row in read_demo_file("people.toml")["person"])
PRESS_CONTACTS = tuple(DemoPressContact(**row) for row in read_demo_file("press_contacts.toml")["contact"])
TOPICS = {
    slug: TopicText(**{**row, "quotes": tuple(row["quotes"])})
    for slug, row in read_demo_file("topics.toml")["topic"].items()
}

_ITEM_DATA = {name: read_demo_file(name) for name in ITEM_FILES}
_RELEASES = _ITEM_DATA["press_releases.toml"]
EMBARGO_TIME: time = _RELEASES["embargo_time"]
DATELINE_PLACE = _RELEASES["dateline_place"]
SPOKESPEOPLE_NOTE = _RELEASES["spokespeople_note"]
BROADCAST_TIME: time = _ITEM_DATA["appearances.toml"]["broadcast_time"]

# Releases first, then articles, reports and appearances: the order the loader creates them in.
DEMO_ITEMS = tuple(item for name, data in _ITEM_DATA.items() for item in read_demo_items(name, data))
# Released under embargo a couple of days after loading, so the demo always has one the public cannot see yet.
UPCOMING_EMBARGOED_RELEASE = next(item for item in DEMO_ITEMS if item.slug == _RELEASES["upcoming_embargoed_release"])


@dataclass
class LoadSummary:
    """What one run of the loader created and what it found already present, by kind of object."""

    created: dict[str, int] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)
    site_url: str = ""
    admin_username: str = ""
    admin_password: str | None = None  # None when the user already existed and its password was left alone

    def record(self, kind: str, *, created: bool) -> None:
        self.created.setdefault(kind, 0)
        self.present.setdefault(kind, 0)
        (self.created if created else self.present)[kind] += 1


@transaction.atomic
def load_demo_data(*, at: datetime, admin_username: str, admin_password: str) -> LoadSummary:
    """Create the demo think tank's press centre, content, documents and a local superuser.

    Makes the press centre the default site's root, deletes Wagtail's initial welcome page and fills site
    settings left at their defaults. Safe to run repeatedly: anything already present (looked up by slug, email,
    name or username) is kept as it is, so a second run creates nothing and changes no counts. Item dates are
    counted back from `at`.
    """
    summary = LoadSummary(admin_username=admin_username)
    categories = ensure_categories(summary)
    people = ensure_people(categories, summary)
    contacts = ensure_press_contacts(summary, categories)
    boilerplate = ensure_boilerplate(summary)
    index = ensure_press_centre(summary)
    summary.site_url = public_base_url()  # where `make demo` serves it, not the Site record's localhost:80
    ensure_site_settings(index, boilerplate=boilerplate, contacts=contacts)
    for item in DEMO_ITEMS:
        ensure_item(index, item, at=at, categories=categories, people=people, summary=summary)
    summary.admin_password = ensure_admin(admin_username, admin_password, summary)
    return summary


def move_demo_embargo(*, at: datetime, seconds: int) -> PressReleasePage | None:
    """Move the demo's upcoming embargoed release to lift `seconds` after `at`, so a lift can be watched.

    Publishes the change as an editor would, which queues the lift task for the new instant. A release lifted
    already (by an earlier run) is embargoed again, so the lift can be watched as often as the command is run.
    Returns None (and changes nothing) only when the demo's release is missing.
    """
    release = PressReleasePage.objects.filter(slug=UPCOMING_EMBARGOED_RELEASE.slug).first()
    if release is None:
        return None
    lifts_at = (at + timedelta(seconds=seconds)).replace(microsecond=0)
    if release.embargo_lifted_at is not None:
        # A demo rehearsal, not an editor's move: the lift record goes, so the next lift runs (and emails) again.
        PressReleasePage.objects.filter(pk=release.pk).update(embargo_lifted_at=None)
        release.embargo_lifted_at = None
        # ... and apps above forget what they keep once per item (the alert), so the lift shows it again.
        demo_embargo_moved.send(sender=PressReleasePage, item=release)
    release.embargo_until = lifts_at
    release.published_at = lifts_at
    release.save_revision(clean=False).publish()
    return release


def ensure_categories(summary: LoadSummary) -> dict[str, Category]:
    """The six demo categories by slug, creating any that are missing."""
    found = {}
    for demo in CATEGORIES:
        category, created = Category.objects.get_or_create(
            slug=demo.slug, defaults={"name": demo.name, "description": demo.description}
        )
        summary.record("categories", created=created)
        found[demo.slug] = category
    return found


def ensure_people(categories: dict[str, Category], summary: LoadSummary) -> dict[str, Person]:
    """The institute's six fellows and staff by slug, creating any that are missing."""
    found = {}
    for demo in PEOPLE:
        person = Person.objects.filter(slug=demo.slug).first()
        created = person is None
        if created:
            person = Person(
                slug=demo.slug,
                name=demo.name,
                role=demo.role,
                bio=f"<p>{demo.bio}</p>",
                available_for_comment=demo.available_for_comment,
                languages=demo.languages,
                availability=demo.availability,
            )
            person.topics = [categories[slug] for slug in demo.topics]
            person.save()
        summary.record("people", created=created)
        found[demo.slug] = person
    return found


def ensure_press_contacts(summary: LoadSummary, categories: dict[str, Category]) -> list[PressContact]:
    """The press office's contacts, looked up by email; returns the default ones (those with no topic)."""
    found = []
    for demo in PRESS_CONTACTS:
        contact, created = PressContact.objects.get_or_create(
            email=demo.email,
            defaults={
                "name": demo.name,
                "role": demo.role,
                "phone": demo.phone,
                "out_of_hours_phone": demo.out_of_hours_phone,
                "topic": categories.get(demo.topic),
            },
        )
        summary.record("press contacts", created=created)
        if not demo.topic:
            found.append(contact)
    return found


def ensure_boilerplate(summary: LoadSummary) -> Boilerplate:
    """The "About the institute" text, looked up by its editor-facing name."""
    boilerplate, created = Boilerplate.objects.get_or_create(name=BOILERPLATE_NAME, defaults={"text": BOILERPLATE_TEXT})
    summary.record("boilerplates", created=created)
    return boilerplate


def ensure_press_centre(summary: LoadSummary) -> PressCentrePage:
    """The press centre index, published under the tree root and set as the default site's root page.

    Wagtail's initial welcome page is deleted once nothing uses it.
    """
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    index = None
    if site is not None and isinstance(site.root_page.specific, PressCentrePage):
        index = site.root_page.specific
    if index is None:
        index = PressCentrePage.objects.filter(slug=INDEX_SLUG).first()
    created = index is None
    if created:
        index = Page.get_first_root_node().add_child(
            instance=PressCentrePage(title=INDEX_TITLE, slug=INDEX_SLUG, intro=INDEX_INTRO)
        )
        index.save_revision().publish()
    summary.record("press centre pages", created=created)

    if site is None:
        site = Site(hostname="127.0.0.1", port=8000, is_default_site=True)
    elif site.hostname == "localhost" and site.port == 80:
        # Still Wagtail's placeholder: point full URLs (feeds, emails) at the local development server.
        site.hostname, site.port = "127.0.0.1", 8000
    site.root_page = index
    site.site_name = site.site_name or ORGANISATION_NAME
    site.save()
    _delete_welcome_page()
    Site.clear_site_root_paths_cache()
    return index


def _delete_welcome_page() -> None:
    plain_page = ContentType.objects.get_for_model(Page)
    for page in Page.objects.filter(depth=2, content_type=plain_page, title=WAGTAIL_WELCOME_TITLE):
        if page.is_leaf() and not Site.objects.filter(root_page=page).exists():
            page.delete()


def ensure_site_settings(index: PressCentrePage, *, boilerplate: Boilerplate, contacts: list[PressContact]) -> None:
    """Fill the default site's press centre settings, leaving alone anything an editor has already set."""
    site = Site.objects.get(root_page=index, is_default_site=True)
    site_settings = PressCentreSettings.for_site(site)
    default_name = PressCentreSettings._meta.get_field("organisation_name").default
    if site_settings.organisation_name in ("", default_name):
        site_settings.organisation_name = ORGANISATION_NAME
    if site_settings.default_boilerplate_id is None:
        site_settings.default_boilerplate = boilerplate
    if not site_settings.press_office_email:
        site_settings.press_office_email = PRESS_OFFICE_EMAIL
    if not site_settings.default_contact_links.exists():
        site_settings.default_contact_links = [
            DefaultPressContact(contact=contact, sort_order=order) for order, contact in enumerate(contacts)
        ]
    site_settings.save()


def ensure_item(
    index: PressCentrePage,
    item: DemoItem,
    *,
    at: datetime,
    categories: dict[str, Category],
    people: dict[str, Person],
    summary: LoadSummary,
) -> None:
    """Publish one demo item under the index unless a child with its slug already exists."""
    kind = str(item.kind._meta.verbose_name_plural)
    if index.get_children().filter(slug=item.slug).exists():
        summary.record(kind, created=False)
        return
    published_at = publication_time(item, at=at)
    page = item.kind(
        title=item.title,
        slug=item.slug,
        published_at=published_at,
        body=item_body(item, people),
        category_links=[ItemCategory(category=categories[item.topic], sort_order=0)],
        person_links=[ItemPerson(person=people[slug], sort_order=order) for order, slug in enumerate(item.people)],
    )
    fill_type_fields(page, item, published_at=published_at, people=people, summary=summary)
    # Saved as a draft first, as the admin does: publishing then validates the page once, in full.
    page.live = False
    # Each save would queue its own reference-index update (about eight per item); one at the end is enough.
    with disable_reference_index_auto_update():
        index.add_child(instance=page)
        revision = page.save_revision(clean=False)
        revision.publish()
    ReferenceIndex.create_or_update_for_object(page)
    # Backdate Wagtail's own bookkeeping so the admin's history agrees with the item's publication date.
    shown_at = min(page.published_at, at)
    type(revision).objects.filter(pk=revision.pk).update(created_at=shown_at)
    Page.objects.filter(pk=page.pk).update(
        first_published_at=shown_at, last_published_at=shown_at, latest_revision_created_at=shown_at
    )
    if page.embargo_until is not None and page.embargo_until <= at:
        # History, not news: these embargoes lifted long ago, so the sweep must not report them as missed.
        NewsItemPage.objects.filter(pk=page.pk).update(embargo_lifted_at=page.embargo_until)
    summary.record(kind, created=True)


def publication_time(item: DemoItem, *, at: datetime) -> datetime:
    """The item's publication instant: `days_ago` London days before `at`, at the item's time of day."""
    day = timezone.localtime(at, LONDON).date() - timedelta(days=item.days_ago)
    return datetime.combine(day, item.time_of_day, tzinfo=LONDON)


def item_body(item: DemoItem, people: dict[str, Person]) -> list[dict]:
    """Raw StreamField data: the item's own opening, then its topic's shared paragraphs and quote.

    The layout and the quote vary with the item's date offset, so neighbouring items read differently.
    """
    topic = TOPICS[item.topic]
    variant = item.days_ago
    opening = _paragraph(item.opening)
    heading = {"type": "heading", "value": {"text": topic.heading, "level": "h2"}}
    context, closing = _paragraph(topic.context), _paragraph(topic.closing)
    if item.kind is ArticlePage:
        # Fellows write in their own voice: no attributed quotes.
        return [opening, heading, context, closing] if variant % 2 else [opening, context, closing]
    speaker = people[item.people[0]]
    quote = {
        "type": "quote",
        "value": {"quote": topic.quotes[variant % 2], "speaker": speaker.name, "speaker_role": speaker.role},
    }
    if variant % 3 == 0:
        return [opening, heading, context, quote, closing]
    if variant % 3 == 1:
        return [opening, quote, context, closing]
    return [opening, context, heading, closing]


def _paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def fill_type_fields(
    page: NewsItemPage, item: DemoItem, *, published_at: datetime, people: dict[str, Person], summary: LoadSummary
) -> None:
    """Set the fields only the item's own type has, generating its report PDF or recording if it has one."""
    details = item.details
    if isinstance(page, PressReleasePage):
        page.subheadline = details["subheadline"]
        page.dateline_place = DATELINE_PLACE
        page.lead = details["lead"]
        page.notes_to_editors = f"<ol><li>{TOPICS[item.topic].note}</li><li>{SPOKESPEOPLE_NOTE}</li></ol>"
        if details.get("embargoed"):
            page.embargo_until = published_at.replace(hour=EMBARGO_TIME.hour, minute=EMBARGO_TIME.minute)
            page.published_at = page.embargo_until
    elif isinstance(page, ArticlePage):
        outlet = details["outlet"]
        if outlet:
            page.original_outlet = outlet
            page.original_url = f"https://{OUTLET_DOMAINS[outlet]}/comment/{item.slug}"
            page.first_published_on = published_at.date() - timedelta(days=1)
        if details.get("excerpt_only"):
            page.rights = ArticlePage.Rights.EXCERPT
            page.canonical_policy = ArticlePage.CanonicalPolicy.ORIGINAL
        if "comments_open" in details:
            page.comments_open = details["comments_open"]
    elif isinstance(page, ReportPage):
        page.report_title = details["report_title"]
        page.key_findings = [{"type": "finding", "value": finding} for finding in details["findings"]]
        page.report_summary = f"<p>{details['summary']}</p><p>{TOPICS[item.topic].method}</p>"
        if details["pdf"]:
            document = ensure_report_pdf(item, published_at=published_at, people=people, summary=summary)
            page.document_links = [ReportDocument(document=document, sort_order=0)]
    elif isinstance(page, MediaAppearancePage):
        page.outlet = details["outlet"]
        page.programme = details["programme"]
        page.broadcast_at = published_at.replace(hour=BROADCAST_TIME.hour, minute=BROADCAST_TIME.minute)
        page.recording_url = details.get("recording_url", "")
        page.transcript = details.get("transcript", "")
        if details.get("audio"):
            page.recording = ensure_recording(item, summary=summary)


def ensure_report_pdf(
    item: DemoItem, *, published_at: datetime, people: dict[str, Person], summary: LoadSummary
) -> AbstractDocument:
    """The report's PDF as a Wagtail document, generated only if no document has its title yet."""
    title = item.details["report_title"]
    authors = ", ".join(people[slug].name for slug in item.people)
    return _ensure_document(
        title=title,
        filename=f"{item.slug}.pdf",
        build=lambda: build_report_pdf(
            report_title=title,
            organisation=ORGANISATION_NAME,
            authors=authors,
            published_on=published_at.date(),
            summary=[item.details["summary"], item.opening, TOPICS[item.topic].method],
            findings=item.details["findings"],
        ),
        summary=summary,
    )


def ensure_recording(item: DemoItem, *, summary: LoadSummary) -> AbstractDocument:
    """The appearance's audio as a Wagtail document, generated only if no document has its title yet."""
    return _ensure_document(
        title=f"Recording: {item.title}",
        filename=f"{item.slug}.wav",
        build=lambda: build_chime_wav(seed=len(item.slug)),
        summary=summary,
    )


def _ensure_document(
    *, title: str, filename: str, build: Callable[[], bytes], summary: LoadSummary
) -> AbstractDocument:
    document_model = get_document_model()
    document = document_model.objects.filter(title=title).first()
    if document is not None:
        summary.record("documents", created=False)
        return document
    data = build()
    document = document_model(title=title, file=ContentFile(data, name=filename))
    document.file_size = len(data)
    document.file_hash = hash_filelike(io.BytesIO(data))
    document.save()
    summary.record("documents", created=True)
    return document


def ensure_admin(username: str, password: str, summary: LoadSummary) -> str | None:
    """Create a local superuser unless one with `username` exists; returns the password if it signs them in."""
    user_model = get_user_model()
    existing = user_model.objects.filter(username=username).first()
    if existing is not None:
        summary.record("users", created=False)
        # Every run prints the sign-in while it still works; a password changed since is not ours to show.
        return password if existing.check_password(password) else None
    user_model.objects.create_superuser(username=username, email=f"{username}@example.org", password=password)
    summary.record("users", created=True)
    return password


class _ReportPDF(FPDF):
    def __init__(self, *, running_head: str) -> None:
        super().__init__(format="A4")
        self.running_head = running_head
        self.set_margins(22, 22, 22)
        self.set_auto_page_break(auto=True, margin=22)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-15)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(110)
        self.cell(0, 8, f"{self.running_head}   |   page {self.page_no()}", align="C")


def build_report_pdf(
    *,
    report_title: str,
    organisation: str,
    authors: str,
    published_on: date,
    summary: list[str],
    findings: tuple[str, ...],
) -> bytes:
    """A short report as PDF bytes: a title page, a summary and the key findings, in PDF core fonts.

    Core fonts only cover Latin-1, so text is folded into it first. The output depends only on the arguments.
    """
    pdf = _ReportPDF(running_head=_latin1(f"{organisation}: {report_title}"))
    pdf.set_title(_latin1(report_title))
    pdf.set_author(_latin1(organisation))
    pdf.set_creation_date(datetime.combine(published_on, time(0, 1), tzinfo=LONDON))

    pdf.add_page()
    pdf.set_fill_color(28, 58, 94)
    pdf.rect(0, 0, pdf.w, 70, style="F")
    pdf.set_text_color(255)
    pdf.set_xy(22, 28)
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, _latin1(organisation.upper()))
    pdf.set_text_color(20)
    pdf.set_xy(22, 95)
    pdf.set_font("Times", "B", 28)
    pdf.multi_cell(0, 12, _latin1(report_title), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 12)
    pdf.multi_cell(0, 7, _latin1(authors), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.multi_cell(0, 7, f"{published_on.day} {published_on:%B %Y}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(-45)
    pdf.set_font("Helvetica", "I", 9)
    pdf.set_text_color(110)
    pdf.multi_cell(
        0,
        5,
        "Demonstration document generated by Press Centre. The organisation, authors and figures are fictional.",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )

    _pdf_section(pdf, "Summary")
    for paragraph in summary:
        pdf.multi_cell(0, 6, _latin1(paragraph), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(4)

    _pdf_section(pdf, "Key findings")
    for number, finding in enumerate(findings, start=1):
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(10, 6, f"{number}.")
        pdf.set_font("Times", "", 12)
        pdf.multi_cell(0, 6, _latin1(finding), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)

    _pdf_section(pdf, f"About {organisation}")
    pdf.multi_cell(
        0,
        6,
        _latin1(
            f"{organisation} is an independent, non-partisan research institute based in London. This document "
            "was generated as demonstration content for Press Centre."
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())


def _pdf_section(pdf: FPDF, heading: str) -> None:
    pdf.add_page()
    pdf.set_text_color(28, 58, 94)
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, _latin1(heading), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_text_color(20)
    pdf.set_font("Times", "", 12)


_LATIN1_FOLDS = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "..."}
)


def _latin1(text: str) -> str:
    return text.translate(_LATIN1_FOLDS).encode("latin-1", "replace").decode("latin-1")


CHIME_RATE = 22050
# C major arpeggios up and down with rests: twelve half-second steps, six seconds in all.
CHIME_NOTES = (523.25, 659.25, 783.99, 1046.50, None, 783.99, 659.25, 523.25, None, 659.25, 783.99, 1046.50)


def build_chime_wav(*, seed: int = 0, step_seconds: float = 0.5, rate: int = CHIME_RATE) -> bytes:
    """A short chime as mono 16-bit WAV bytes, the same for the same arguments.

    `seed` rotates the note sequence so that different recordings sound different.
    """
    shift = seed % len(CHIME_NOTES)
    notes = CHIME_NOTES[shift:] + CHIME_NOTES[:shift]
    step = int(step_seconds * rate)
    # Each distinct note is rendered once: the sequence repeats a few pitches.
    rendered = {frequency: _chime_note(frequency, step=step, rate=rate) for frequency in set(notes)}
    samples = array("h")
    for frequency in notes:
        samples.extend(rendered[frequency])
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        if sys.byteorder == "big":
            samples.byteswap()  # WAV samples are little-endian
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def _chime_note(frequency: float | None, *, step: int, rate: int) -> array:
    """One step of the chime: a decaying tone with its octave, faded out at the end to avoid a click."""
    if frequency is None:
        return array("h", bytes(2 * step))
    fade = int(0.01 * rate)
    samples = array("h")
    for n in range(step):
        t = n / rate
        envelope = math.exp(-4.0 * t) * min(1.0, (step - n) / fade)
        tone = math.sin(2 * math.pi * frequency * t) + 0.3 * math.sin(4 * math.pi * frequency * t)
        samples.append(int(12000 * envelope * tone))
    return samples
