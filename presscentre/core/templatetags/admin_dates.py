from django import template

from presscentre.core.dates import admin_instant

register = template.Library()


@register.filter
def instant(value) -> str:
    """A moment as every admin screen writes it: '09:30 GMT, Friday 4 December 2026' ('' for none)."""
    return admin_instant(value) if value else ""
