"""People's headshots on bylines, read for a whole byline at once."""

from django import template

from presscentre.newsroom.images import headshots_of

register = template.Library()


@register.simple_tag
def headshots(people) -> dict:
    """Person slug -> their small headshot, for everyone in `people` who has a photo."""
    return headshots_of(people) if people else {}


@register.filter
def headshot_of(found: dict, person):
    """The headshot `headshots` found for `person`, or None."""
    return found.get(person.slug) if found else None
