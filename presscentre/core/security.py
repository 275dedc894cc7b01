"""Two small adaptations of third-party security tools to Wagtail: a CSP per area and login throttling.

The public site runs under a strict Content Security Policy (no inline script, nothing from other origins).
Wagtail's admin cannot: its panels and date pickers write inline scripts and its templating evaluates strings,
so /admin/ gets a looser policy of its own rather than no policy at all (docs/security.md).
"""

from axes.backends import AxesStandaloneBackend
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import render


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin policy for admin paths and the public policy everywhere else."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts
        if is_admin_path(request.path_info):
            parts.config = settings.PRESSCENTRE_ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        elif getattr(request, "is_dummy", False):
            # Wagtail renders a preview through a made-up request for the page's public address, so this
            # middleware sees a public path; the admin's preview panel frames the answer, and only the admin may.
            parts.config = settings.PRESSCENTRE_PREVIEW_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        return parts


def is_admin_path(path: str) -> bool:
    return path.startswith(tuple(settings.PRESSCENTRE_ADMIN_PATH_PREFIXES))


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login that comes with a request.

    Axes refuses a call without a request, to catch login forms that forget to pass one. Every login form here
    (Wagtail's, Django's admin, the API's session) passes it; the calls without one are code that already holds
    the password, such as the test client's `login()`, and nothing can be throttled there anyway.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_locked_out(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets: what happened and how long to wait, as a 429 that no cache keeps."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    response = render(request, "core/login_locked_out.html", {"minutes": minutes}, status=429)
    response["Cache-Control"] = "private, no-store"
    return response


def no_such_object(request, *args, **kwargs):
    """A 404 for an id no database column can hold, before a view turns it into a query (and an error)."""
    raise Http404("No such page.")


def refuse_nul_bytes(get_response):
    """Refuse a path with a NUL byte in it (400) and drop NUL bytes from the query, before any view reads them.

    No address on the site contains one, and PostgreSQL refuses NUL in text, so a token, slug or API filter
    carrying one ended in an error page (found by the hostile-input tests). In the query a NUL is removed, as
    the search page always did, so `?q=` and its filters see what a reader could have meant.
    """

    def middleware(request):
        if "\x00" in request.path:
            response = HttpResponseBadRequest("This address contains a character that is not allowed.")
            response["Cache-Control"] = "no-store"
            return response
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            request.META["QUERY_STRING"] = query.replace("%00", "").replace("\x00", "")
            request.GET = QueryDict(request.META["QUERY_STRING"])
        return get_response(request)

    return middleware
