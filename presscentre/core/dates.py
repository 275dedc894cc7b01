"""How the admin writes a moment: one style on every staff screen, the same shape as a release's embargo line."""

import zoneinfo
from datetime import datetime

from django.utils import timezone


def admin_instant(at: datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """'09:30 GMT, Friday 4 December 2026' in `zone` (the current zone when None)."""
    local = timezone.localtime(at, zone)
    return f"{local:%H:%M} {local.tzname()}, {local:%A} {local.day} {local:%B %Y}"
