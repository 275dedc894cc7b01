from django import template

from presscentre.distribution.services import format_instant

register = template.Library()


@register.filter
def instant(value) -> str:
    """A moment as every distribution screen writes it: '09:30 GMT, Friday 4 December 2026' ('' for none)."""
    return format_instant(value) if value else ""
