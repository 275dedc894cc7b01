"""Read settings from the environment, refusing malformed values with one clear message."""

import os
import zoneinfo

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_flag(name: str, *, default: bool) -> bool:
    """Return a boolean setting; anything but true/false/yes/no/on/off/1/0 is refused."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, *, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    """Return a whole-number setting of at least `minimum` (and at most `maximum`, if given)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, not {value}.")
    return value


def env_list(name: str, *, default: list[str]) -> list[str]:
    """Return a comma-separated setting as a list, dropping empty entries."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_time_zone(name: str, *, default: str) -> str:
    """Return an IANA time zone name, refusing names the zone database does not know."""
    raw = os.environ.get(name, "").strip() or default
    try:
        zoneinfo.ZoneInfo(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name} must be an IANA time zone such as Europe/London, not {raw!r}.") from None
    return raw


def env_seconds(name: str, *, default: float, minimum: float = 0.0) -> float:
    """Return a duration in seconds, decimals allowed (0.5), of at least `minimum`."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds such as 0.5, not {raw!r}.") from None
    if not value >= minimum or value == float("inf"):  # also refuses nan
        raise ImproperlyConfigured(f"{name} must be a number of seconds of at least {minimum:g}, not {raw!r}.")
    return value
