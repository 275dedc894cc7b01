from django import template

from presscentre.alerts.subscribing import consent_text_for

register = template.Library()


@register.simple_tag(takes_context=True)
def alerts_consent_text(context) -> str:
    """The consent words beside the footer's sign-up button (remembered per process: every page shows them)."""
    request = context.get("request")
    return consent_text_for(request) if request is not None else ""
