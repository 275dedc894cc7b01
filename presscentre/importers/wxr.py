"""A streaming reader for WordPress eXtended RSS (WXR) export files, versions 1.0, 1.1 and 1.2.

`iter_wxr(path)` yields one small record at a time (the channel, then authors, terms and items in file order)
and clears each element once read, so memory stays flat however large the file. Text is kept exactly as
written (CDATA, entities, bidi and zero-width characters, emoji, backslashes); only identifiers, logins,
slugs, statuses and dates are trimmed. Elements count as WordPress's when their namespace URI is
`http(s)://wordpress.org/export/1.N/`, whatever prefix the file gives it; anything else is ignored.

libxml2 runs in recovery mode only so that one namespace warning can be let through: a namespace URI that is
an IRI (non-ASCII characters, as in WordPress's own `namespace-edge-cases.xml`) is not an RFC 3986 URI but the
document is still well-formed XML. Every other problem libxml2 reports refuses the file, naming the line.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$")
EXCERPT_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"
VERSION_PATTERN = re.compile(r"^\d+\.\d+$")
# libxml2's only complaint that leaves a document well-formed: a namespace name that is an IRI, not a URI.
TOLERATED_ERRORS = {"WAR_NS_URI"}
HINTS = {"ERR_ENTITYREF_SEMICOL_MISSING": " (a bare '&' must be written '&amp;')"}


class WXRError(Exception):
    """The file cannot be imported: not well-formed, or not a WXR file. The message names the file."""


@dataclass
class WXRChannel:
    version: str
    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""

    @property
    def site(self) -> str:
        """The exporting site's address, which scopes WordPress ids (several files may share it)."""
        return (self.base_blog_url or self.link or self.base_site_url).rstrip("/")


@dataclass
class WXRAuthor:
    id: str
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class WXRTerm:
    """A category, tag or other taxonomy term defined at channel level; `parent` is the parent's slug."""

    taxonomy: str
    slug: str
    name: str
    id: str = ""
    parent: str = ""
    description: str = ""


@dataclass
class WXRItemTerm:
    """A term attached to an item: `<category domain="category" nicename="slug">Name</category>`."""

    domain: str
    slug: str
    name: str


@dataclass
class WXRComment:
    id: str
    content: str = ""
    author: str = ""
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    date: str = ""
    date_gmt: str = ""
    approved: str = ""
    type: str = ""
    parent: str = ""
    user_id: str = ""


@dataclass
class WXRItem:
    title: str = ""
    link: str = ""
    guid: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_id: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    comment_status: str = ""
    post_name: str = ""
    status: str = ""
    post_parent: str = ""
    post_type: str = ""
    post_password: str = ""
    attachment_url: str = ""
    is_sticky: str = ""
    terms: list[WXRItemTerm] = field(default_factory=list)
    postmeta: list[tuple[str, str]] = field(default_factory=list)
    comments: list[WXRComment] = field(default_factory=list)


WXRRecord = WXRChannel | WXRAuthor | WXRTerm | WXRItem

_TRIMMED = {
    "post_id",
    "post_date",
    "post_date_gmt",
    "comment_status",
    "post_name",
    "status",
    "post_parent",
    "post_type",
    "attachment_url",
    "is_sticky",
    "id",
    "login",
    "date",
    "date_gmt",
    "approved",
    "type",
    "parent",
    "user_id",
    "author_ip",
    "author_email",
}


def _split(tag) -> tuple[str, str]:
    """(kind, local name) where kind is 'wp', 'excerpt', 'content', 'dc', '' (no namespace) or None (other)."""
    if not isinstance(tag, str):
        return None, ""
    if not tag.startswith("{"):
        return "", tag
    uri, local = tag[1:].split("}", 1)
    if WP_NAMESPACE.match(uri):
        return "wp", local
    if EXCERPT_NAMESPACE.match(uri):
        return "excerpt", local
    if uri == CONTENT_NAMESPACE:
        return "content", local
    if uri == DC_NAMESPACE:
        return "dc", local
    return None, local


def _text(element) -> str:
    return element.text or ""


def _wp_fields(element) -> dict[str, str]:
    """The text of an element's wp: children, by local name (the last one wins, as in WordPress)."""
    values = {}
    for child in element:
        kind, local = _split(child.tag)
        if kind == "wp":
            values[local] = _text(child)
    return values


def _read_author(element) -> WXRAuthor:
    values = _wp_fields(element)
    return WXRAuthor(
        id=values.get("author_id", "").strip(),
        login=values.get("author_login", "").strip(),
        email=values.get("author_email", "").strip(),
        display_name=values.get("author_display_name", "").strip(),
        first_name=values.get("author_first_name", "").strip(),
        last_name=values.get("author_last_name", "").strip(),
    )


def _read_term(local: str, element) -> WXRTerm:
    values = _wp_fields(element)
    if local == "category":
        return WXRTerm(
            taxonomy="category",
            id=values.get("term_id", "").strip(),
            slug=values.get("category_nicename", "").strip(),
            name=values.get("cat_name", ""),
            parent=values.get("category_parent", "").strip(),
            description=values.get("category_description", ""),
        )
    if local == "tag":
        return WXRTerm(
            taxonomy="post_tag",
            id=values.get("term_id", "").strip(),
            slug=values.get("tag_slug", "").strip(),
            name=values.get("tag_name", ""),
            description=values.get("tag_description", ""),
        )
    return WXRTerm(
        taxonomy=values.get("term_taxonomy", "").strip(),
        id=values.get("term_id", "").strip(),
        slug=values.get("term_slug", "").strip(),
        name=values.get("term_name", ""),
        parent=values.get("term_parent", "").strip(),
        description=values.get("term_description", ""),
    )


def _read_comment(element) -> WXRComment:
    values = {key.lower().removeprefix("comment_"): value for key, value in _wp_fields(element).items()}
    comment = WXRComment(id=values.pop("id", "").strip())
    for name in ("content", "author", "author_email", "author_url", "author_ip", "date", "date_gmt"):
        setattr(comment, name, values.get(name, ""))
    for name in ("approved", "type", "parent", "user_id"):
        setattr(comment, name, values.get(name, ""))
    for name in ("author_email", "author_ip", "date", "date_gmt", "approved", "type", "parent", "user_id"):
        setattr(comment, name, getattr(comment, name).strip())
    return comment


def _read_item(element) -> WXRItem:
    item = WXRItem()
    for child in element:
        kind, local = _split(child.tag)
        if kind == "":
            if local == "title":
                item.title = _text(child)
            elif local == "link":
                item.link = _text(child).strip()
            elif local == "guid":
                item.guid = _text(child).strip()
            elif local == "category":
                item.terms.append(
                    WXRItemTerm(
                        domain=child.get("domain", "category").strip(),
                        slug=child.get("nicename", "").strip(),
                        name=_text(child),
                    )
                )
        elif kind == "content" and local == "encoded":
            item.content = _text(child)
        elif kind == "excerpt" and local == "encoded":
            item.excerpt = _text(child)
        elif kind == "dc" and local == "creator":
            item.creator = _text(child).strip()
        elif kind == "wp":
            if local == "postmeta":
                values = _wp_fields(child)
                item.postmeta.append((values.get("meta_key", "").strip(), values.get("meta_value", "")))
            elif local == "comment":
                item.comments.append(_read_comment(child))
            elif local in WXRItem.__dataclass_fields__ and local not in ("terms", "postmeta", "comments"):
                value = _text(child)
                setattr(item, local, value.strip() if local in _TRIMMED else value)
    return item


def _check_version(path: str, version: str | None) -> None:
    if version is None:
        raise WXRError(f"{path}: not a WXR file: no <wp:wxr_version> found before the content.")
    if not VERSION_PATTERN.match(version):
        raise WXRError(f"{path}: not a WXR file: invalid <wp:wxr_version> {version!r}.")


def _first_error(log) -> str | None:
    """'line N: message' for the first problem in libxml2's error log that makes the file unacceptable."""
    for entry in log:
        if entry.type_name not in TOLERATED_ERRORS:
            return f"line {entry.line}: not well-formed XML: {entry.message.strip()}{HINTS.get(entry.type_name, '')}"
    return None


def iter_wxr(path: str | Path, progress: Callable[[int], None] | None = None, name: str = "") -> Iterator[WXRRecord]:
    """Yield a WXRChannel, then WXRAuthor, WXRTerm and WXRItem records in file order.

    Raises WXRError naming the file (`name`, else its path) and line when it is not well-formed XML or has no
    valid wxr_version. `progress`, if given, is called with the number of bytes read so far after each record.
    """
    path = Path(path)
    label = name or str(path)
    try:
        with path.open("rb") as source:
            yield from _iter_records(label, source, progress)
    except OSError as error:
        raise WXRError(f"{label}: cannot read the file: {error}") from error


def _iter_records(path: str, source, progress) -> Iterator[WXRRecord]:
    channel_values: dict[str, str] = {}
    version: str | None = None
    channel: WXRChannel | None = None
    events = etree.iterparse(
        source,
        events=("end",),
        huge_tree=True,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
        recover=True,
    )
    try:
        for _event, element in events:
            parent = element.getparent()
            if parent is None or _split(parent.tag) != ("", "channel"):
                continue
            kind, local = _split(element.tag)
            record = None
            if kind == "wp" and local == "wxr_version":
                version = _text(element).strip()
            elif kind == "wp" and local in ("base_site_url", "base_blog_url"):
                channel_values[local] = _text(element).strip()
            elif kind == "" and local in ("title", "link"):
                channel_values.setdefault(local, _text(element).strip())
            elif kind == "wp" and local == "author":
                record = _read_author(element)
            elif kind == "wp" and local in ("category", "tag", "term"):
                record = _read_term(local, element)
            elif kind == "" and local == "item":
                record = _read_item(element)
            if record is not None:
                _raise_for_errors(path, events)
                if channel is None:
                    _check_version(path, version)
                    channel = WXRChannel(version=version, **channel_values)
                    yield channel
                yield record
                if progress is not None:
                    progress(source.tell())
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as error:
        where = f"{path}: line {error.lineno}" if error.lineno else str(path)
        raise WXRError(f"{where}: not well-formed XML: {error.msg}") from error
    _raise_for_errors(path, events)
    if channel is None:
        _check_version(path, version)
        yield WXRChannel(version=version, **channel_values)


def _raise_for_errors(path: str, events) -> None:
    problem = _first_error(events.error_log)
    if problem is not None:
        raise WXRError(f"{path}: {problem}")
