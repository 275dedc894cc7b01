"""WordPress post content (classic editor HTML or block editor markup) to the body blocks items already have.

The block editor saves semantic HTML between `<!-- wp:name {...} -->` delimiters, so both kinds of content go
through one walk over the HTML once the delimiters are gone (classic content first gets WordPress's paragraph
rule, blank lines to `<p>`). Headings become heading blocks, images image blocks (when the file was imported
into the image library, else they stay as `<img>` pointing at the old site), quotes with a `<cite>` quote
blocks, embeds (block, `[embed]` shortcode, provider URL on its own line, provider iframe) embed blocks (with
their caption: captioned embed blocks), galleries gallery blocks, audio and video (blocks, tags, `[audio]` and
`[video]`) media blocks when the file was imported (else a link to the original), `<details>` disclosure blocks,
code and preformatted text preformatted blocks, and everything else paragraph blocks. Every piece of rich text
passes nh3's allowlist before it is stored: scripts, styles, event handlers and unknown tags never reach the
database. What is left out or left behind (images still on the old site, a gallery whose images were not
imported) is counted in `notes`, for the import summary. docs/import.md lists what becomes what.
"""

import contextlib
import html
import re
from collections import Counter
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from pathlib import PurePosixPath
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
FLATTENED_TAGS = {"div", "section", "article", "main", "header", "footer", "aside", "center"}
DROPPED_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "embed", "form", "hr", "svg"}
BLOCK_DELIMITER = re.compile(r"<!--\s*/?wp:[^>]*?-->", re.DOTALL)
MORE = re.compile(r"<!--more(?:\s[^>]*)?-->")
# WordPress splits a post into pages at this marker; here the pages are read as one.
NEXTPAGE = re.compile(r"<!--nextpage-->")
CAPTION_SHORTCODE = re.compile(r"\[caption([^\]]*)\](.*?)\[/caption\]", re.DOTALL)
CAPTION_ATTRIBUTE = re.compile(r"""\bcaption=(?:"([^"]*)"|'([^']*)')""")
EMBED_SHORTCODE = re.compile(r"\[embed[^\]]*\]\s*(https?://[^\s\[]+?)\s*\[/embed\]")
PLAYER_SHORTCODE = re.compile(r"\[(audio|video)\b([^\]]*)\](?:[^\[]*\[/\1\])?")
GALLERY_SHORTCODE = re.compile(r"\[gallery\b([^\]]*)\]")
SHORTCODE_ATTRIBUTE = re.compile(r"""(\w+)=(?:"([^"]*)"|'([^']*)'|([^\s\]]+))""")
# The attributes WordPress's [audio] and [video] shortcodes take a file from, in the order it tries them.
PLAYER_SOURCES = ("src", "mp3", "m4a", "ogg", "oga", "wav", "wma", "flac", "mp4", "m4v", "webm", "ogv", "wmv", "flv")
PRE_BLOCK = re.compile(r"<pre\b.*?</pre>", re.DOTALL | re.IGNORECASE)
IMG_SRC = re.compile(r'<img\b[^>]*?\bsrc="([^"]*)"')
REMOTE_IMAGES = "images left on the old site"
# A shortcode this importer does not turn into a block, recognised as one when it has attributes (name="x") or
# a closing tag, so that bracketed words such as [sic] or [1] are not taken for one. It stays in the text.
OTHER_SHORTCODE = re.compile(r"\[([a-z][\w-]*)(?=[\s\]])(?:\s[^\]]*=[^\]]*)?\]", re.IGNORECASE)
_BLOCK_TAG = (
    r"</?(?:p|h[1-6]|ul|ol|li|blockquote|figure|figcaption|div|table|thead|tbody|tr|td|th|pre|hr|details|summary|"
    r"iframe|audio|video)\b[^>]*>"
)
BLOCK_TAG_START = re.compile(rf"^{_BLOCK_TAG}", re.IGNORECASE)
BLOCK_TAG_END = re.compile(rf"{_BLOCK_TAG}$", re.IGNORECASE)
BREAK_END = re.compile(r"<br\s*/?>$", re.IGNORECASE)
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
    title: str = ""


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


def convert(
    content: str,
    media: MediaLookup | None = None,
    old_hosts: frozenset[str] = frozenset(),
    *,
    notes: Counter | None = None,
) -> list[dict]:
    """The body's raw StreamField data (a list of {'type', 'value'}) for one post's content.

    `media` finds imported files for old upload URLs; links to pages on `old_hosts` (the old site) become
    root-relative, so they reach the new pages through the imported redirects wherever the site now lives.
    `notes` counts, by reason, what was left out or still points at the old site (REMOTE_IMAGES).
    """
    notes = notes if notes is not None else Counter()
    content = CONTROL_CHARACTERS.sub("", NEXTPAGE.sub("\n\n", MORE.sub("", content)))
    has_blocks = "<!-- wp:" in content
    content = BLOCK_DELIMITER.sub("", content)
    content = CAPTION_SHORTCODE.sub(_caption_to_figure, content)
    content = EMBED_SHORTCODE.sub(r'<figure class="wp-block-embed"><div>\1</div></figure>', content)
    content = PLAYER_SHORTCODE.sub(_player_to_figure, content)
    content = GALLERY_SHORTCODE.sub(_gallery_to_figure, content)
    _count_other_shortcodes(content, notes)
    if not has_blocks:
        content = autop(content)
    if not content.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(content, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    builder = _BodyBuilder(media, old_hosts, notes)
    builder.walk(root)
    builder.flush()
    return builder.blocks


def autop(content: str) -> str:
    """WordPress's classic editor stores paragraphs as blank lines: wrap them in <p> (a small wpautop).

    Preformatted text keeps its blank lines, as in wpautop: each <pre> is set aside while the rest is split.
    """
    kept: list[str] = []

    def set_aside(match: re.Match) -> str:
        kept.append(match.group(0))
        return f'\n\n<pre data-autop="{len(kept) - 1}"></pre>\n\n'

    content = PRE_BLOCK.sub(set_aside, content.replace("\r\n", "\n"))
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", content) if chunk.strip()]
    wrapped = "".join(chunk if BLOCK_START.match(chunk) else f"<p>{_line_breaks(chunk)}</p>" for chunk in chunks)
    for n, block in enumerate(kept):
        wrapped = wrapped.replace(f'<pre data-autop="{n}"></pre>', block, 1)
    return wrapped


def _line_breaks(paragraph: str) -> str:
    """A single line break inside a paragraph is a <br>, as wpautop makes it, except beside a block-level tag."""
    lines = [line.strip() for line in paragraph.split("\n")]
    joined = lines[0]
    for line in lines[1:]:
        beside_block = BLOCK_TAG_END.search(joined) or BLOCK_TAG_START.match(line) or BREAK_END.search(joined)
        joined += ("\n" if beside_block else "<br>\n") + line
    return joined


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


def _shortcode_attributes(text: str) -> dict[str, str]:
    return {
        m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in SHORTCODE_ATTRIBUTE.finditer(text)
    }


def _player_to_figure(match: re.Match) -> str:
    """[audio mp3="..."] or [video mp4="..."] to the markup the audio and video blocks save."""
    kind, attributes = match.group(1), _shortcode_attributes(match.group(2))
    src = next((attributes[name] for name in PLAYER_SOURCES if attributes.get(name)), "")
    return f'<figure class="wp-block-{kind}"><{kind} src="{html.escape(src)}"></{kind}></figure>'


def _gallery_to_figure(match: re.Match) -> str:
    """[gallery ids="1,2"] to a gallery figure naming its attachments, resolved when the walk reaches it."""
    attributes = _shortcode_attributes(match.group(1))
    ids = ",".join(re.findall(r"\d+", attributes.get("ids") or attributes.get("include") or ""))
    return f'<figure class="wp-block-gallery" data-ids="{ids}"></figure>'


def _count_other_shortcodes(content: str, notes: Counter) -> None:
    """Shortcodes of plugins or themes the new site does not have: left in the text as written, and reported."""
    for match in OTHER_SHORTCODE.finditer(content):
        name = match.group(1).lower()
        closed = re.search(rf"\[/{re.escape(name)}\]", content, re.IGNORECASE)
        if "=" in match.group(0) or closed:
            notes[f"shortcode [{name}] left in the text as written"] += 1


def _file_name(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).name or url


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

    def __init__(
        self,
        media: MediaLookup | None,
        old_hosts: frozenset[str] = frozenset(),
        notes: Counter | None = None,
        local_urls: set[str] | None = None,
    ):
        self.lookup = media
        self.media = self.remembering(media) if media is not None else None
        self.old_hosts = old_hosts
        self.notes = notes if notes is not None else Counter()
        self.local_urls = local_urls if local_urls is not None else set()  # image URLs of imported files
        self.blocks: list[dict] = []
        self.rich: list[str] = []  # HTML of consecutive block-level elements, one paragraph block
        self.inline: list[str] = []  # loose text and inline elements, to be wrapped in a <p>

    def remembering(self, media: MediaLookup) -> MediaLookup:
        """The lookup, noting the new URLs of imported images: any other image source is still on the old site."""

        def lookup(url: str, wp_id: str) -> MediaMatch | None:
            found = media(url, wp_id)
            if found is not None and found.url:
                self.local_urls.add(found.url)
            return found

        return lookup

    def flush(self) -> None:
        self.end_inline()
        if self.rich:
            cleaned = clean_rich_text("".join(self.rich), self.media, self.old_hosts)
            if cleaned:
                self.count_remote_images(cleaned)
                self.blocks.append({"type": "paragraph", "value": cleaned})
            self.rich = []

    def count_remote_images(self, cleaned: str) -> None:
        for src in IMG_SRC.findall(cleaned):
            src = html.unescape(src)
            if src not in self.local_urls and not src.startswith("data:"):
                self.notes[REMOTE_IMAGES] += 1

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
        if "wp-block-file__button" in _classes(element):
            return  # the file block's "Download" button repeats the link before it
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
        elif tag in ("audio", "video"):
            self.player(element, caption="")
        elif tag == "details":
            self.disclosure(element)
        elif tag == "pre":
            self.preformatted(element)
        elif tag in ("ul", "ol") and "gallery" in _classes(element):
            self.gallery(element)
        elif tag == "blockquote":
            self.quote(element)
        elif tag == "img" or self.only_image(element):
            self.images(element)
        elif tag == "p" and self.embed_url(element):
            self.add_block("embed", self.embed_url(element))
        elif tag == "p" and element.xpath(".//figure|.//audio|.//video|.//details|.//pre"):
            self.walk(element)  # a shortcode's figure written inside a paragraph: the figure stands alone
            self.end_inline()
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
        if element.xpath(".//audio|.//video"):
            self.player(element, caption=self.caption(element))
            return
        if "wp-block-gallery" in classes or element.xpath(".//ul[contains(@class, 'gallery')]"):
            self.gallery(element)
            return
        if "wp-block-embed" in classes and element.find(".//figcaption") is not None:
            self.captioned_embed(element)
            return
        if "wp-block-embed" in classes or not element.findall(".//img"):
            url = self.embed_url(element, any_site="wp-block-embed" in classes)
            if url:
                self.add_block("embed", url)
            elif element.find(".//blockquote") is not None:
                self.quote(element.find(".//blockquote"))
            else:
                self.rich.append(_html(element))
            return
        if element.find(".//figure") is not None:  # figures of images in a figure: a gallery by another name
            self.gallery(element)
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

    def caption(self, element) -> str:
        """The text of a figure's own caption (not that of a figure inside it)."""
        caption = element.find("figcaption")
        return _text(caption) if caption is not None else ""

    def captioned_embed(self, element) -> None:
        caption = self.caption(element)
        without_caption = deepcopy(element)
        for figcaption in without_caption.findall("figcaption"):
            figcaption.drop_tree()
        url = self.embed_url(without_caption, any_site=True)
        if url and caption:
            self.add_block("captioned_embed", {"url": url, "caption": caption[:300]})
        elif url:
            self.add_block("embed", url)
        else:
            self.rich.append(_html(element))

    def player(self, element, *, caption: str) -> None:
        """An audio or video player: a media block when its file was imported, else a link to the original."""
        player = element if element.tag in ("audio", "video") else element.xpath(".//audio|.//video")[0]
        sources = [player.get("src")] + [source.get("src") for source in player.iter("source")]
        src = next((source.strip() for source in sources if source and source.strip()), "")
        if not src:
            self.notes[f"{player.tag} without a file, left out"] += 1
            return
        found = self.media(src, "") if self.media is not None else None
        if found is not None and found.kind == "document":
            self.add_block("media", {"document": found.pk, "caption": caption[:300]})
            return
        label = html.escape(caption or _file_name(src), quote=False)
        self.rich.append(f'<p>{player.tag.capitalize()}: <a href="{html.escape(src)}">{label}</a></p>')
        self.notes[f"{player.tag} not imported: linked to the original"] += 1

    def gallery(self, element) -> None:
        """A gallery block of the images that were imported; the others become links to their old addresses."""
        if element.get("data-ids") is not None:
            self.gallery_by_ids(element.get("data-ids"))
            return
        images, links = [], []
        for img in element.iter("img"):
            src = (img.get("src") or "").strip()
            alt = (img.get("alt") or "").strip()
            caption = self.image_caption(img, element)
            match = WP_IMAGE_ID.search(_classes(img))
            found = self.media(src, match.group(1) if match else "") if self.media is not None and src else None
            if found is not None and found.kind == "image":
                images.append(_gallery_image(found, alt, caption))
            elif src:
                links.append((src, alt or caption or _file_name(src)))
        self.gallery_blocks(images, links, self.caption(element))

    def gallery_by_ids(self, ids: str) -> None:
        if not ids:
            # [gallery] alone shows the images attached to the post, which its content does not name.
            self.notes["gallery shortcode without ids (the post's attached images), left out"] += 1
            return
        found = [self.media("", wp_id) for wp_id in ids.split(",") if wp_id] if self.media is not None else []
        images = [_gallery_image(match, "", "") for match in found if match is not None and match.kind == "image"]
        if not images:
            why = "no --media-dir" if self.media is None else "not among the imported attachments"
            self.notes[f"gallery shortcode: images not imported ({why}), left out"] += 1
        self.gallery_blocks(images, [], "")

    def gallery_blocks(self, images: list[dict], links: list[tuple[str, str]], caption: str) -> None:
        if images:
            self.add_block("gallery", {"images": images, "caption": caption[:300]})
        if links:
            self.notes["gallery images not imported: linked to the original"] += len(links)
            items = "".join(
                f'<li><a href="{html.escape(src)}">{html.escape(label, quote=False)}</a></li>' for src, label in links
            )
            self.rich.append(f"<ul>{items}</ul>")
            if caption and not images:
                self.rich.append(f"<p>{html.escape(caption, quote=False)}</p>")

    def image_caption(self, img, gallery) -> str:
        """The caption of the figure an image sits in, when that figure is not the gallery itself."""
        for ancestor in img.iterancestors():
            if ancestor is gallery:
                return ""
            if ancestor.tag == "figure":
                return self.caption(ancestor)
        return ""

    def disclosure(self, element) -> None:
        """<details>: the summary line and the body's text as rich text; blocks that rich text cannot hold
        (images, embeds) follow the disclosure rather than being lost."""
        summary = element.find("summary")
        summary_text = _text(summary) if summary is not None else ""
        if summary is not None:
            summary.drop_tree()
        inner = _BodyBuilder(self.lookup, self.old_hosts, self.notes, self.local_urls)
        inner.walk(element)
        inner.flush()
        parts, after = [], []
        for block in inner.blocks:
            if block["type"] == "paragraph":
                parts.append(block["value"])
            elif block["type"] == "heading":
                parts.append(f"<p><b>{html.escape(block['value']['text'], quote=False)}</b></p>")
            else:
                after.append(block)
        body = "".join(parts)
        if body:
            self.add_block("disclosure", {"summary": (summary_text or "Details")[:300], "body": body})
        elif summary_text:  # nothing to disclose: the summary is a line of text
            self.rich.append(f"<p>{html.escape(summary_text, quote=False)}</p>")
        if after:
            self.flush()
            self.blocks.extend(after)

    def preformatted(self, element) -> None:
        """Code and preformatted text as plain text, its line breaks and indentation kept."""
        for br in element.iter("br"):
            br.tail = "\n" + (br.tail or "")
        text = element.text_content().strip("\n")
        if text.strip():
            self.add_block("preformatted", text)


def _gallery_image(found: MediaMatch, alt: str, caption: str) -> dict:
    return {"image": found.pk, "alt_text": (alt or caption or found.title)[:300], "caption": caption[:300]}


def clean_html(content: str) -> str:
    """Classic WordPress HTML as the sanitised HTML of the body's paragraphs (figures kept for unmatched images)."""
    return "".join(block["value"] for block in convert(content) if block["type"] == "paragraph")
