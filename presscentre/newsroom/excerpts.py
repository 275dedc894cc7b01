"""Derive a listing excerpt from an item's body without loading images or embeds."""

import html

from django.utils.html import strip_tags

EXCERPT_WORDS = 55
ELLIPSIS = "..."

# Blocks whose text reads as prose in an excerpt, and where that text lives in the stored JSON.
_TEXT_OF_BLOCK = {
    "paragraph": lambda value: value,
    "heading": lambda value: value.get("text", ""),
    "quote": lambda value: value.get("quote", ""),
}


def text_of_body(raw_blocks) -> str:
    """Return the readable text of a body's stored blocks, in order, as one string."""
    parts = []
    for block in raw_blocks:
        extract = _TEXT_OF_BLOCK.get(block.get("type"))
        if extract is None:
            continue
        value = extract(block.get("value") or "")
        if isinstance(value, str) and value:
            parts.append(html.unescape(strip_tags(value)))
    return " ".join(parts)


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
