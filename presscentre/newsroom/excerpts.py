"""Derive a listing excerpt from an item's body without loading images or embeds."""

from html import escape
from html.parser import HTMLParser

EXCERPT_WORDS = 55
ELLIPSIS = "..."

# Elements that end a line or a block when rendered: their text and the next never run together. Inline
# elements (b, em, a, span...) are not among them, so "<b>Bold</b>ness" stays one word.
_BOUNDARY_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt"}
    | {"figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p"}
    | {"pre", "section", "summary", "table", "td", "th", "tr", "ul"}
)
# Elements whose content is never prose.
_HIDDEN_TAGS = frozenset({"script", "style", "template"})

# Blocks whose text reads as prose in an excerpt: where that text lives in the stored JSON, and whether it is
# rich text (HTML) or plain text typed into a text field (where "<b>" or "&amp;" are the words themselves).
_TEXT_OF_BLOCK = {
    "paragraph": (lambda value: value, True),
    "heading": (lambda value: value.get("text", ""), False),
    "quote": (lambda value: value.get("quote", ""), False),
    "disclosure": (lambda value: f"<p>{escape(value.get('summary', ''))}</p>{value.get('body', '')}", True),
}


def text_of_html(markup: str) -> str:
    """The words of an HTML fragment as one line of plain text: tags dropped, character references decoded once,
    and a space wherever a paragraph, heading, list item, table cell or line break ends."""
    if not markup:
        return ""
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    return " ".join("".join(parser.parts).split())


class _TextOfHtml(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN_TAGS:
            self.hidden += 1
        elif tag in _BOUNDARY_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _HIDDEN_TAGS:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in _BOUNDARY_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def text_of_body(raw_blocks) -> str:
    """Return the readable text of a body's stored blocks, in order, as one string."""
    parts = []
    for block in raw_blocks:
        extract, is_html = _TEXT_OF_BLOCK.get(block.get("type"), (None, False))
        if extract is None:
            continue
        value = extract(block.get("value") or "")
        if isinstance(value, str) and value:
            parts.append(text_of_html(value) if is_html else " ".join(value.split()))
    return " ".join(part for part in parts if part)


def excerpt_of(summary: str, raw_blocks) -> str:
    """The editor's summary, or the body's text cut at about 55 words ending in "..."."""
    if summary.strip():
        return summary.strip()
    return cut_on_word_boundary(text_of_body(raw_blocks))


def cut_on_word_boundary(text: str, words: int = EXCERPT_WORDS) -> str:
    """Return the first `words` words of `text`, ending in "..." when anything was cut."""
    all_words = text.split()
    if len(all_words) <= words:
        return " ".join(all_words)
    kept = " ".join(all_words[:words]).rstrip(".,;:!?-–—")
    return kept + ELLIPSIS
