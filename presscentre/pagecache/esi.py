"""Edge Side Includes: a per-reader fragment (the comment form's challenge) inside an otherwise shared page.

An item page carries `<esi:include src="/comments/challenge/<item id>/" />` where the challenge belongs; the
comments app registers the fragment for that prefix (`registry.register_fragment`). A surrogate that announces
ESI (`Surrogate-Capability: ...="ESI/1.0"`, as Varnish does when its VCL asks) receives the tag and fetches
the fragment itself; for everyone else the app replaces the tag at every serve, from the page cache or not,
with a freshly issued challenge, so no two readers share a single-use ticket. Expansion needs no database: the
item id is in the tag and the site's challenge wording travels in the page (`data-altcha-strings` on the slot
around the tag).
"""

import re
from datetime import datetime

from presscentre.pagecache import registry

# A fragment's address: a registered prefix, then the id of the object it is about.
ESI_TAG = re.compile(rb'<esi:include src="([^"]*/)(\d+)/" />')
ANY_ESI_TAG = re.compile(rb"<esi:include\b[^>]*>")
SLOT_STRINGS = re.compile(rb'data-altcha-strings="([^"]*)"')


def surrogate_does_esi(capability: str) -> bool:
    return "ESI/1.0" in (capability or "")


def has_esi(body: bytes) -> bool:
    return b"<esi:include" in body


def expand(body: bytes, *, at: datetime) -> bytes:
    """Replace each registered fragment's tag with a new fragment, and drop any include the app cannot fill."""
    found = SLOT_STRINGS.search(body)
    strings = found.group(1).decode() if found else ""

    def fill(match) -> bytes:
        render = registry.fragment(match.group(1).decode())
        return b"" if render is None else render(int(match.group(2)), at=at, escaped_strings=strings).encode()

    return ANY_ESI_TAG.sub(b"", ESI_TAG.sub(fill, body))
