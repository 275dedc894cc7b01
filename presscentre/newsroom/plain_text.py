"""An item as plain text: what a journalist pastes into their own system, or downloads as a .txt file.

Built from the item's structured fields in the order the page shows them (for a release: release line,
headline, sub-headline, dateline and lead, body, ENDS, notes to editors, boilerplate, media contacts), with
paragraphs separated by a blank line, lists as "- " lines and links as "text (address)". Addresses are made
absolute with the site's public base, so they still work once pasted somewhere else.
"""

import re
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

from django.utils import dateformat, timezone
from wagtail.rich_text import expand_db_html

from presscentre.core.urls_public import public_base_url
from presscentre.newsroom.dates import LONG_DATE_FORMAT, release_line_at

DATE_FORMAT = LONG_DATE_FORMAT  # "2nd March 2030", as listings and item pages print dates

_BLOCK_TAGS = (
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "figure", "table", "tr"}
    | {"address", "article", "aside", "caption", "dd", "details", "dl", "dt", "figcaption", "footer", "header", "hr"}
    | {"pre", "section", "summary"}
)
# Table cells of a row stay on its line, a space apart.
_CELL_TAGS = {"td", "th"}


def item_as_plain_text(item, *, site_settings, at: datetime) -> str:
    """The item (any of the four types) as plain text at the instant `at`, ending in one newline.

    `site_settings` is the item's PressCentreSettings: it supplies the time zone for dates, the organisation's
    name and the default boilerplate and press contacts. Before the lift this is embargoed content: serve it
    only where the item itself may be seen.
    """
    item = item.specific
    writer = _Writer(base_url=f"{public_base_url()}/")
    sections = {
        "PressReleasePage": _press_release,
        "ReportPage": _report,
        "ArticlePage": _article,
        "MediaAppearancePage": _media_appearance,
    }
    sections.get(type(item).__name__, _generic)(item, writer, site_settings, at)
    return writer.text()


# One function per item type, each writing the page's parts in the page's order


def _press_release(release, writer: "_Writer", site_settings, at: datetime) -> None:
    # Before the lift the embargo line; once public, the line reads as published (as the page does).
    writer.line(release_line_at(release, at=at, zone=site_settings.zone))
    writer.line(release.title)
    writer.line(release.subheadline)
    writer.line(_people_line("Spokespeople:", release.people))
    dateline = release.dateline(site_settings.zone)
    writer.line(f"{dateline} \u2014 {release.lead}" if release.lead else "")
    _body(release, writer)
    writer.line("ENDS")
    if release.notes_to_editors:
        writer.heading("Notes to editors")
        writer.rich_text(release.notes_to_editors)
    boilerplate = release.boilerplate or site_settings.default_boilerplate
    if boilerplate is not None:
        writer.heading(f"About {site_settings.organisation_name}")
        writer.rich_text(boilerplate.text)
    contacts = [link.contact for link in release.contact_links.select_related("contact")]
    _media_contacts(contacts or site_settings.default_contacts(), writer)


def _report(report, writer: "_Writer", site_settings, at: datetime) -> None:
    writer.line(release_line_at(report, at=at, zone=site_settings.zone) if report.embargo_until else "")
    writer.line(report.title)
    if report.report_title and report.report_title != report.title:
        writer.line(f"Report: {report.quoted_title}")
    writer.line(_published_line(report, site_settings))
    writer.line(_people_line("Authors:", report.people))
    documents = report.documents
    if documents:
        writer.heading("Download the report")
        writer.items(f"{document.title} ({writer.absolute(document.url)})" for document in documents)
    if report.key_findings:
        writer.heading("Key findings")
        writer.items(str(finding.value) for finding in report.key_findings)
    if report.report_summary:
        writer.rich_text(report.report_summary)
    _body(report, writer)
    _media_contacts(site_settings.default_contacts(), writer)


def _article(article, writer: "_Writer", site_settings, at: datetime) -> None:
    writer.line(article.title)
    writer.line(_published_line(article, site_settings))
    for person, rest in article.bylines():
        writer.line(f"By {person.name}{rest}")
    if article.first_published_on and article.original_outlet:
        first = dateformat.format(article.first_published_on, DATE_FORMAT)
        writer.line(f"First published in {article.original_outlet} on {first}.")
    if article.shows_full_text:
        _body(article, writer)
    else:
        writer.line(article.excerpt)
    if article.original_url:
        where = article.original_outlet or "the original publication"
        read = "Read the original" if article.shows_full_text else "Read the full article"
        writer.line(f"{read} in {where}: {article.original_url}")


def _media_appearance(appearance, writer: "_Writer", site_settings, at: datetime) -> None:
    writer.line(appearance.title)
    where = appearance.listen_line()
    if appearance.broadcast_at:
        local = timezone.localtime(appearance.broadcast_at, site_settings.zone)
        where += f", broadcast {dateformat.format(local, DATE_FORMAT + ', H:i')}"
    writer.line(where)
    writer.line(_people_line("With", appearance.people))
    if appearance.recording:
        writer.line(f"Recording: {writer.absolute(appearance.recording.url)}")
    if appearance.recording_url:
        writer.line(f"Listen again on {appearance.outlet}'s website: {appearance.recording_url}")
    _body(appearance, writer)
    if appearance.transcript:
        writer.heading("Transcript")
        writer.rich_text(appearance.transcript)
    _media_contacts(site_settings.default_contacts(), writer)


def _generic(item, writer: "_Writer", site_settings, at: datetime) -> None:
    writer.line(item.embargo_line() if item.is_embargoed_at(at) else "")
    writer.line(item.title)
    writer.line(_published_line(item, site_settings))
    _body(item, writer)


# Shared parts


def _published_line(item, site_settings) -> str:
    return dateformat.format(timezone.localtime(item.published_at, site_settings.zone), DATE_FORMAT)


def _people_line(label: str, people) -> str:
    if not people:
        return ""
    names = "; ".join(f"{person.name}, {person.role}" if person.role else person.name for person in people)
    return f"{label} {names}"


def _body(item, writer: "_Writer") -> None:
    for block in item.body:
        value = block.value
        if block.block_type == "paragraph":
            writer.rich_text(value.source)
        elif block.block_type == "heading":
            writer.heading(value["text"])
        elif block.block_type == "quote":
            speaker = ", ".join(part for part in (value["speaker"], value.get("speaker_role")) if part)
            quote = f"\u201c{value['quote'].strip()}\u201d"
            writer.line(f"{quote}\n\u2014 {speaker}" if speaker else quote)
        elif block.block_type == "image":
            described = " \u2014 ".join(part for part in (value["alt_text"], value.get("caption")) if part)
            writer.line(f"[Image: {described}]" if described else "")
        elif block.block_type == "embed" and value is not None:
            writer.line(f"[Embedded media: {value.url}]")
        elif block.block_type in ("captioned_embed", "gallery", "media", "disclosure", "preformatted"):
            _other_block(block.block_type, value, writer)


def _other_block(kind: str, value, writer: "_Writer") -> None:
    """The body blocks imported content brought (WordPress embeds with captions, galleries, audio and video,
    details, code), each as the words and addresses a reader of the text needs."""
    if kind == "captioned_embed" and value.get("url") is not None:
        writer.line(f"[Embedded media: {value['url'].url} \u2014 {value['caption']}]")
    elif kind == "gallery":
        for image in value["images"]:
            described = " \u2014 ".join(part for part in (image["alt_text"], image.get("caption")) if part)
            writer.line(f"[Image: {described}]" if described else "")
        writer.line(value.get("caption"))
    elif kind == "media" and value.get("document") is not None:
        label = value.get("caption") or value["document"].title
        what = {"audio": "Audio", "video": "Video"}.get(value.kind(), "File")
        writer.line(f"[{what}: {label} ({writer.absolute(value['document'].url)})]")
    elif kind == "disclosure":
        writer.line(value["summary"])
        writer.rich_text(value["body"].source)
    elif kind == "preformatted":
        writer.line(value)  # its own line breaks kept


def _media_contacts(contacts, writer: "_Writer") -> None:
    if not contacts:
        return
    writer.heading("Media enquiries")
    for contact in contacts:
        lines = [f"{contact.name}, {contact.role}" if contact.role else contact.name]
        if contact.phone:
            lines.append(f"Telephone: {contact.phone}")
        if contact.out_of_hours_phone:
            lines.append(f"Out of hours: {contact.out_of_hours_phone}")
        if contact.email:
            lines.append(f"Email: {contact.email}")
        writer.line("\n".join(lines))


class _Writer:
    """Paragraphs of plain text, joined by blank lines; empty paragraphs are dropped."""

    def __init__(self, *, base_url: str):
        self.base_url = base_url
        self.paragraphs: list[str] = []

    def line(self, text: str) -> None:
        text = (text or "").strip()
        if text:
            self.paragraphs.append(text)

    def heading(self, text: str) -> None:
        self.line(text)

    def items(self, texts) -> None:
        self.line("\n".join(f"- {text}" for text in texts))

    def rich_text(self, source: str) -> None:
        """Wagtail rich text as it is stored (page and document links by id)."""
        converter = _RichTextToPlain(absolute=self.absolute)
        converter.feed(expand_db_html(source or ""))
        converter.close()
        for paragraph in converter.paragraphs():
            self.line(paragraph)

    def absolute(self, url: str) -> str:
        return urljoin(self.base_url, url) if self.base_url and url else url

    def text(self) -> str:
        return "\n\n".join(self.paragraphs) + "\n"


class _RichTextToPlain(HTMLParser):
    """Rich text HTML to paragraphs: a block per paragraph or list, '- ' or '1. ' per list item, links with
    their address in brackets (unless the text already is the address)."""

    def __init__(self, *, absolute):
        super().__init__(convert_charrefs=True)
        self.absolute = absolute
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.lists: list[list] = []  # per open list: [kind, next number]
        self.links: list[tuple[str, int]] = []  # per open link: (address, where its text starts)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("ul", "ol"):
            self._end_block()
            self.lists.append([tag, 1])
        elif tag == "li":
            self._end_line()
            kind, number = self.lists[-1] if self.lists else ("ul", 1)
            self.current.append(f"{number}. " if kind == "ol" else "- ")
            if self.lists:
                self.lists[-1][1] += 1
        elif tag == "br":
            self.current.append("\n")
        elif tag == "a":
            self.links.append((attributes.get("href") or "", len("".join(self.current))))
        elif tag in _BLOCK_TAGS:
            self._end_block()

    def handle_endtag(self, tag):
        if tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            if not self.lists:
                self._end_block()
        elif tag == "li":
            self._end_line()
        elif tag in _CELL_TAGS:
            self.current.append(" ")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            text = "".join(self.current)[start:].strip()
            address = self.absolute(href) if href and not href.startswith("#") else ""
            if address and address not in (text, f"mailto:{text}", f"tel:{text}"):
                self.current.append(f" ({address.removeprefix('mailto:')})")
        elif tag in _BLOCK_TAGS:
            self._end_block()

    def handle_data(self, data):
        self.current.append(re.sub(r"\s+", " ", data))

    def _end_line(self) -> None:
        if "".join(self.current).strip() and not "".join(self.current).endswith("\n"):
            self.current.append("\n")

    def _end_block(self) -> None:
        if self.lists:
            self._end_line()
            return
        lines = (line.strip() for line in "".join(self.current).split("\n"))
        self.current = []
        block = "\n".join(line for line in lines if line)
        if block:
            self.blocks.append(block)

    def close(self):
        super().close()
        self.lists = []
        self._end_block()

    def paragraphs(self) -> list[str]:
        return self.blocks
