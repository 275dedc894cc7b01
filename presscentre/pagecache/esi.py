"""Edge Side Includes: the comment form's per-reader challenge inside an otherwise shared page.

An item page carries `<esi:include src="/comments/challenge/<item id>/" />` where the challenge belongs.
A surrogate that announces ESI (`Surrogate-Capability: ...="ESI/1.0"`, as Varnish does when its VCL asks)
receives the tag and fetches the fragment itself; for everyone else the app replaces the tag at every serve,
from the page cache or not, with a freshly issued challenge, so no two readers share a single-use ticket.
Expansion needs no database: the item id is in the tag and the site's challenge wording travels in the page
(`data-altcha-strings` on the slot around the tag).
"""

import re
from datetime import datetime

ESI_TAG = re.compile(rb'<esi:include src="/comments/challenge/(\d+)/" />')
ANY_ESI_TAG = re.compile(rb"<esi:include\b[^>]*>")
SLOT_STRINGS = re.compile(rb'data-altcha-strings="([^"]*)"')


def surrogate_does_esi(capability: str) -> bool:
    return "ESI/1.0" in (capability or "")


def has_esi(body: bytes) -> bool:
    return b"<esi:include" in body


def expand(body: bytes, *, at: datetime) -> bytes:
    """Replace each challenge tag with a new challenge, and drop any other include the app cannot fill."""
    from presscentre.comments.views import challenge_fragment

    found = SLOT_STRINGS.search(body)
    strings = found.group(1).decode() if found else ""

    def fill(match) -> bytes:
        return challenge_fragment(int(match.group(1)), at=at, escaped_strings=strings).encode()

    return ANY_ESI_TAG.sub(b"", ESI_TAG.sub(fill, body))
