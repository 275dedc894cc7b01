"""Text that every surface can carry: XML 1.0 (feeds, sitemaps) cannot hold most control characters."""

import re

# Characters XML 1.0 forbids (tab, line feed and carriage return are allowed), the UTF-16 surrogates, and
# the two non-characters U+FFFE and U+FFFF.
XML_INVALID_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_xml_invalid_characters(text: str) -> bool:
    return bool(XML_INVALID_CHARACTERS.search(text or ""))


def xml_safe(text: str) -> str:
    """`text` with every character XML 1.0 cannot carry removed; a vertical tab or form feed becomes a space."""
    if not text:
        return text
    return XML_INVALID_CHARACTERS.sub(lambda match: " " if match.group() in "\x0b\x0c" else "", text)
