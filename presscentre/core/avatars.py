"""Initials avatars for the admin: a coloured circle with the user's initials, drawn here rather than fetched.

Wagtail would otherwise ask Gravatar for every user it shows (sidebar, dashboard, history and listings), which
tells a third party who works in the press office and when. A picture the user uploaded in their profile still
wins: for them `initials_avatar_url` answers None and Wagtail shows the upload.
"""

import re
import zlib
from urllib.parse import quote
from xml.sax.saxutils import escape

# White text on each of these has a contrast ratio of at least 4.5:1 (WCAG AA for normal text).
PALETTE = ("#1f5f8b", "#2e6b30", "#8a3b12", "#6b3fa0", "#a3214f", "#0f6b6b", "#5a5a1a", "#44448a")


def initials(user) -> str:
    """'JD' for Jane Doe, or from a username such as 'jane.doe' or 'jane@example.org'; '?' with nothing to go on."""
    first = (getattr(user, "first_name", "") or "").strip()
    last = (getattr(user, "last_name", "") or "").strip()
    if first and last:
        words = [first, last]
    elif first or last:
        words = (first or last).split()
    else:
        username = user.get_username() if hasattr(user, "get_username") else ""
        words = re.split(r"[\W_]+", username.split("@")[0])
    letters = [word[0] for word in words if word]
    if len(letters) > 2:
        letters = [letters[0], letters[-1]]
    return "".join(letters).upper() or "?"


def avatar_colour(user) -> str:
    """One palette colour per user, the same in every process and on every page."""
    key = user.get_username() if hasattr(user, "get_username") else ""
    return PALETTE[zlib.crc32(key.encode()) % len(PALETTE)]


def has_uploaded_avatar(user) -> bool:
    profile = getattr(user, "wagtail_userprofile", None)
    return bool(profile and profile.avatar)


def initials_svg(user, size: int = 50) -> str:
    text = escape(initials(user))
    font_size = 28 if len(text) == 1 else 24
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 64 64">'
        f'<circle cx="32" cy="32" r="32" fill="{avatar_colour(user)}"/>'
        f'<text x="32" y="32" dy="0.35em" text-anchor="middle" fill="#ffffff" font-size="{font_size}" '
        f'font-weight="600" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">{text}</text>'
        "</svg>"
    )


def initials_avatar_url(user, size: int = 50) -> str | None:
    """A data: URL of the user's initials avatar, or None for no user or one with an uploaded picture."""
    if user is None or not getattr(user, "is_authenticated", False) or has_uploaded_avatar(user):
        return None
    return "data:image/svg+xml," + quote(initials_svg(user, size), safe=":/=,")
