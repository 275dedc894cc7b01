from django import template

from presscentre.syndication import metadata

register = template.Library()


@register.simple_tag(takes_context=True)
def page_metadata(context) -> dict:
    """Canonical URL, description, OpenGraph, Twitter card and JSON-LD values for the page being rendered."""
    return metadata.page_metadata(context)
