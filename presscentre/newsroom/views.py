"""The organisation's look as files: the accent stylesheet and /favicon.ico."""

from django.http import HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_safe

from presscentre.newsroom import branding
from presscentre.newsroom.models import PressCentreSettings

# The accent's URL carries the colour itself, so what it serves never changes.
FOREVER = "public, max-age=31536000, immutable"
# Browsers that ask for /favicon.ico without reading the page's <link rel="icon"> learn a new icon within a day.
FAVICON_REDIRECT_SECONDS = 24 * 3600


@require_safe
def accent_stylesheet(request, colour: str):
    """`/brand/accent-<rrggbb>.css`: the accent as CSS custom properties over presscentre.css's defaults."""
    response = HttpResponse(branding.accent_stylesheet(f"#{colour}"), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = FOREVER
    return response


@require_safe
def favicon(request):
    """`/favicon.ico`: the organisation's icon, or the press centre's own, rather than a 404."""
    response = HttpResponseRedirect(PressCentreSettings.for_request(request).brand.favicon_url)
    response["Cache-Control"] = f"public, max-age={FAVICON_REDIRECT_SECONDS}"
    return response
