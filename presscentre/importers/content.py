"""WordPress post content (classic editor HTML or block editor markup) to the body blocks items already have.

The block editor saves semantic HTML between `<!-- wp:name {...} -->` delimiters, so both kinds of content go
through one walk over the HTML once the delimiters are gone (classic content first gets WordPress's paragraph
rule, blank lines to `<p>`). Headings become heading blocks, images image blocks (when the file was imported
into the image library, else they stay as `<img>` pointing at the old site), quotes with a `<cite>` quote
blocks, embeds (block, `[embed]` shortcode, provider URL on its own line, provider iframe) embed blocks, and
everything else paragraph blocks. Every piece of rich text passes nh3's allowlist before it is stored: scripts,
styles, event handlers and unknown tags never reach the database.
"""

import contextlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html
import nh3
from lxml import etree

RICH_TAGS = {
    "p", "br", "ul", "ol", "li", "a", "strong", "b", "em", "i", "sup", "sub", "blockquote", "figure",
    "figcaption", "img", "table", "thead", "tbody", "tr", "th", "td", "pre", "code",
}  # fmt: skip
RICH_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
INLINE_TAGS = {"a", "strong", "b", "em", "i", "span", "sup", "sub", "code", "br", "small", "abbr", "u", "s", "mark"}
FLATTENED_TAGS = {"div", "section", "article", "main", "header", "footer", "aside", "center", "details"}
DROPPED_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "embed", "form", "hr", "svg"}
BLOCK_DELIMITER = re.compile(r"<!--\s*/?wp:[^>]*?-->", re.DOTALL)
MORE = re.compile(r"<!--more(?:\s[^>]*)?-->")
CAPTION_SHORTCODE = re.compile(r"\[caption([^\]]*)\](.*?)\[/caption\]", re.DOTALL)
CAPTION_ATTRIBUTE = re.compile(r"""\bcaption=(?:"([^"]*)"|'([^']*)')""")
EMBED_SHORTCODE = re.compile(r"\[embed[^\]]*\]\s*(https?://[^\s\[]+?)\s*\[/embed\]")
BLOCK_START = re.compile(r"^\s*<(p|h[1-6]|ul|ol|li|blockquote|figure|div|table|pre|hr|iframe)\b", re.IGNORECASE)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
URL_ONLY = re.compile(r"^\s*(https?://\S+)\s*$")
WP_IMAGE_ID = re.compile(r"\bwp-image-(\d+)\b")
# WordPress turns a URL from these providers on its own line into an embed (its oEmbed allowlist, in short).
EMBED_PROVIDER = re.compile(
    r"^https?://([a-z0-9-]+\.)*(youtube\.com|youtu\.be|vimeo\.com|twitter\.com|x\.com|soundcloud\.com|"
    r"spotify\.com|flickr\.com|instagram\.com|tiktok\.com|dailymotion\.com|ted\.com|slideshare\.net|"
    r"speakerdeck\.com|mixcloud\.com|reddit\.com|tumblr\.com|scribd\.com|issuu\.com|bsky\.app|mastodon\.social)/",
    re.IGNORECASE,
)
YOUTUBE_IFRAME = re.compile(r"^(?:https?:)?//(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)")
HREF_OR_SRC = re.compile(r'\b(href|src)="([^"]*)"')
WP_FILES = re.compile(r"/wp-(?:content|includes|admin)/|/xmlrpc\.php|/wp-login\.php")


@dataclass
class MediaMatch:
    """What an old upload URL now points at: an image (pk and file URL) or a document (pk)."""

    kind: str  # "image" or "document"
    pk: int
    url: str = ""


MediaLookup = Callable[[str, str], MediaMatch | None]  # (url, wp attachment id) -> match


def split_more(content: str) -> tuple[str, str]:
    """(the part before `<!--more-->`, the whole content without the marker); the first part is '' if none."""
    match = MORE.search(content)
    if match is None:
        return "", content
    return content[: match.start()], content[: match.start()] + content[match.end() :]


def plain_text(value: str) -> str:
    """Markup to the plain text a summary holds: tags, comments and shortcodes' brackets kept out."""
    value = BLOCK_DELIMITER.sub(" ", value)
    text = html.unescape(nh3.clean(value, tags=set(), clean_content_tags={"script", "style"}))
    return re.sub(r"\s+", " ", text).strip()


def convert(content: str, media: MediaLookup | None = None, old_hosts: frozenset[str] = frozenset()) -> list[dict]:
    """The body's raw StreamField data (a list of {'type', 'value'}) for one post's content.

    `media` finds imported files for old upload URLs; links to pages on `old_hosts` (the old site) become
    root-relative, so they reach the new pages through the imported redirects wherever the site now lives.
    """
    content = CONTROL_CHARACTERS.sub("", MORE.sub("", content))
    has_blocks = "<!-- wp:" in content
    content = BLOCK_DELIMITER.sub("", content)
    content = CAPTION_SHORTCODE.sub(_caption_to_figure, content)
    content = EMBED_SHORTCODE.sub(r'<figure class="wp-block-embed"><div>\1</div></figure>', content)
    if not has_blocks:
        content = autop(content)
    if not content.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(content, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    builder = _BodyBuilder(media, old_hosts)
    builder.walk(root)
    builder.flush()
    return builder.blocks


def autop(content: str) -> str:
    """WordPress's classic editor stores paragraphs as blank lines: wrap them in <p> (a small wpautop)."""
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", content.replace("\r\n", "\n")) if chunk.strip()]
    return "".join(chunk if BLOCK_START.match(chunk) else f"<p>{chunk}</p>" for chunk in chunks)


def clean_rich_text(value: str, media: MediaLookup | None = None, old_hosts: frozenset[str] = frozenset()) -> str:
    """nh3's allowlist, then links and images to imported files pointed at the new copies, old-site links made
    root-relative."""
    cleaned = nh3.clean(
        value,
        tags=RICH_TAGS,
        attributes=RICH_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        clean_content_tags={"script", "style"},
    ).strip()
    if media is None and not old_hosts:
        return cleaned
    return HREF_OR_SRC.sub(lambda match: _rewrite_url(match, media, old_hosts), cleaned)


def host_forms(url: str) -> set[str]:
    """A URL's host as written and in its other IDNA form (Unicode or punycode), lower-cased."""
    host = (urlsplit(url.strip()).hostname or "").lower()
    forms = {host} if host else set()
    with contextlib.suppress(UnicodeError):
        forms.add(host.encode("idna").decode("ascii"))
        forms.add(host.encode("ascii").decode("idna"))
    return forms


def _rewrite_url(match: re.Match, media: MediaLookup | None, old_hosts: frozenset[str]) -> str:
    attribute, url = match.group(1), html.unescape(match.group(2))
    found = media(url, "") if media is not None and "uploads/" in url else None
    if found is None:
        return _relative_link(match, url, old_hosts)
    if attribute == "href" and found.kind == "document":
        return f'linktype="document" id="{found.pk}"'  # Wagtail's stored form of a document link
    if found.kind == "image" and found.url:
        return f'{attribute}="{html.escape(found.url)}"'
    return match.group(0)


def _caption_to_figure(match: re.Match) -> str:
    """[caption]<img> Text[/caption] (or the older caption="Text" attribute) to a figure with its caption."""
    inner = match.group(2).strip()
    image = re.match(r"^((?:<a\b[^>]*>)?\s*<img\b[^>]*>\s*(?:</a>)?)(.*)$", inner, re.DOTALL | re.IGNORECASE)
    if not image:
        return inner
    caption = image.group(2).strip()
    attribute = CAPTION_ATTRIBUTE.search(match.group(1))
    if not caption and attribute:
        caption = html.escape(attribute.group(1) or attribute.group(2) or "", quote=False)
    return f"<figure>{image.group(1).strip()}<figcaption>{caption}</figcaption></figure>"


def _html(element) -> str:
    return lxml.html.tostring(element, encoding="unicode", with_tail=False)


def _text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def _classes(element) -> str:
    return element.get("class") or ""


def _relative_link(match: re.Match, url: str, old_hosts: frozenset[str]) -> str:
    if match.group(1) != "href" or not old_hosts:
        return match.group(0)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not (host_forms(url) & old_hosts) or WP_FILES.search(parts.path):
        return match.group(0)
    path = (
        (parts.path or "/")
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )
    return f'href="{html.escape(path)}"'


class _BodyBuilder:
    """Walks the top level of the content, collecting blocks; rich text gathers until a block interrupts it."""

    def __init__(self, media: MediaLookup | None, old_hosts: frozenset[str] = frozenset()):
        self.media = media
        self.old_hosts = old_hosts
        self.blocks: list[dict] = []
        self.rich: list[str] = []  # HTML of consecutive block-level elements, one paragraph block
        self.inline: list[str] = []  # loose text and inline elements, to be wrapped in a <p>

    def flush(self) -> None:
        self.end_inline()
        if self.rich:
            cleaned = clean_rich_text("".join(self.rich), self.media, self.old_hosts)
            if cleaned:
                self.blocks.append({"type": "paragraph", "value": cleaned})
            self.rich = []

    def end_inline(self) -> None:
        if "".join(self.inline).strip():
            self.rich.append(f"<p>{''.join(self.inline).strip()}</p>")
        self.inline = []

    def add_block(self, block_type: str, value) -> None:
        self.flush()
        self.blocks.append({"type": block_type, "value": value})

    def walk(self, parent) -> None:
        if parent.text:
            self.inline.append(html.escape(parent.text, quote=False))
        for child in parent:
            if isinstance(child.tag, str):
                self.element(child)
            if child.tail:
                self.inline.append(html.escape(child.tail, quote=False))

    def element(self, element) -> None:
        tag = element.tag.lower()
        if tag in INLINE_TAGS and not self.only_image(element):
            self.inline.append(_html(element))
            return
        self.end_inline()
        if tag in DROPPED_TAGS:
            if tag == "iframe":
                self.iframe(element)
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = _text(element)
            if text:
                self.add_block("heading", {"text": text[:200], "level": "h2" if tag in ("h1", "h2") else "h3"})
        elif tag == "figure":
            self.figure(element)
        elif tag == "blockquote":
            self.quote(element)
        elif tag == "img" or self.only_image(element):
            self.images(element)
        elif tag == "p" and self.embed_url(element):
            self.add_block("embed", self.embed_url(element))
        elif tag in FLATTENED_TAGS:
            if "wp-block-embed" in _classes(element) and self.embed_url(element, any_site=True):
                self.add_block("embed", self.embed_url(element, any_site=True))
            else:
                self.walk(element)
                self.end_inline()
        else:
            self.rich.append(_html(element))

    def only_image(self, element) -> bool:
        """A paragraph or link holding one image and no text: the image stands alone."""
        images = element.findall(".//img")
        return element.tag != "img" and len(images) == 1 and not _text(element) and element.tag in ("p", "a", "span")

    def embed_url(self, element, *, any_site: bool = False) -> str:
        match = URL_ONLY.match(element.text_content())
        if match and (any_site or EMBED_PROVIDER.match(match.group(1))):
            return match.group(1)[:1000]
        return ""

    def iframe(self, element) -> None:
        src = element.get("src") or ""
        youtube = YOUTUBE_IFRAME.match(src)
        if youtube:
            self.add_block("embed", f"https://www.youtube.com/watch?v={youtube.group(1)}")
        elif EMBED_PROVIDER.match(src):
            self.add_block("embed", src[:1000])

    def figure(self, element) -> None:
        classes = _classes(element)
        if "wp-block-embed" in classes or not element.findall(".//img"):
            url = self.embed_url(element, any_site="wp-block-embed" in classes)
            if url:
                self.add_block("embed", url)
            elif element.find(".//blockquote") is not None:
                self.quote(element.find(".//blockquote"))
            else:
                self.rich.append(_html(element))
            return
        if element.find(".//figure") is not None:  # a gallery: one figure per image
            self.walk(element)
            self.end_inline()
            return
        caption = element.find(".//figcaption")
        self.images(element, caption=_text(caption) if caption is not None else "")

    def images(self, element, *, caption: str = "") -> None:
        for image in [element] if element.tag == "img" else element.findall(".//img"):
            self.image(image, caption)

    def image(self, image, caption: str) -> None:
        src = image.get("src") or ""
        alt = (image.get("alt") or "").strip()
        match = WP_IMAGE_ID.search(_classes(image))
        found = self.media(src, match.group(1) if match else "") if self.media and src else None
        if found is not None and found.kind == "image":
            self.add_block("image", {"image": found.pk, "alt_text": (alt or caption)[:300], "caption": caption[:300]})
            return
        kept = f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'
        if caption:
            kept = f"<figure>{kept}<figcaption>{html.escape(caption, quote=False)}</figcaption></figure>"
        self.rich.append(kept)

    def quote(self, element) -> None:
        cite = element.find(".//cite")
        speaker = _text(cite) if cite is not None else ""
        if not speaker:
            self.rich.append(_html(element))
            return
        cite.drop_tree()
        paragraphs = [_text(p) for p in element.findall(".//p")] or [_text(element)]
        text = "\n\n".join(p for p in paragraphs if p)
        if text:
            self.add_block("quote", {"quote": text, "speaker": speaker[:200], "speaker_role": ""})
