from django import template

from presscentre.core.text import xml_safe
from presscentre.syndication import metadata

register = template.Library()


@register.simple_tag(takes_context=True)
def page_metadata(context) -> dict:
    """Canonical URL, description, OpenGraph, Twitter card and JSON-LD values for the page being rendered."""
    return metadata.page_metadata(context)


@register.filter
def xml_text(value) -> str:
    """Text for an XML document written by a template: without the characters XML 1.0 cannot carry (a row saved
    before input was checked may hold one). Autoescaping then escapes the markup characters, once."""
    return xml_safe(str(value if value is not None else ""))
