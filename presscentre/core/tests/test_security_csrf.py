"""CSRF: every endpoint that takes a POST checks the token, except the two that need none and say why.

The walk covers every URL the project routes (the admin, embargo, comments, distribution, importers and
whatever comes next), so a new form that forgets its protection fails here without anyone listing it.
"""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from presscentre.comments.models import Comment
from presscentre.comments.tests.factories import filled_form
from presscentre.embargo.models import AccessLink
from presscentre.newsroom.tests.factories import ArticleFactory, PressReleaseFactory

# Views that may take a POST without a CSRF token, and why (docs/security.md).
CSRF_EXEMPT_VIEWS = {
    # The public comment form: item pages are cached for everyone, so it carries a signed, single-use,
    # item-bound, time-limited challenge ticket instead, and the post acts with no authority from the session.
    "presscentre.comments.views.post",
    # One-click unsubscribe (RFC 8058): mail programs POST to the link with no page, hence no token; the
    # unguessable token in the URL is the authority, and all it can do is stop mail to its own address.
    "presscentre.distribution.views.unsubscribe_view",
    # The alerts sign-up: its form is in the footer of every cached page, so it carries no token; all a post can
    # do is send one confirmation email an hour to the address typed (double opt-in), and it is rate-limited.
    "presscentre.alerts.views.subscribe_view",
    # The alerts' one-click unsubscribe (RFC 8058), as for releases: the signed token in the URL is the authority.
    "presscentre.alerts.views.unsubscribe_view",
}
SAMPLE_ARGUMENTS = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.UUID(int=1))}


def routed_views(resolver=None, prefix=""):
    """Every (route, view) the URL configuration routes, with the route as written (path() or regex)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routed_views(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def view_name(view) -> str:
    wrapped = getattr(view, "view_class", None) or getattr(view, "cls", None) or view
    return f"{wrapped.__module__}.{getattr(wrapped, '__qualname__', wrapped.__class__.__name__)}"


def is_allowed_exempt(view) -> bool:
    """Listed above, or a REST framework view: DRF marks those exempt and runs the CSRF check itself for any
    request signed in with a session (the admin's API); Wagtail's public read API takes no POST at all."""
    view_class = getattr(view, "cls", None)
    return view_name(view) in CSRF_EXEMPT_VIEWS or (view_class is not None and issubclass(view_class, APIView))


def concrete_path(route: str) -> str | None:
    """A URL for a path() route, with sample values for its parameters; None for a regex route."""
    route = route.replace("^", "").replace("$", "")
    if re.search(r"[.*+?()\[\]{}|\\]", re.sub(r"<[^>]+>", "", route)):
        return None
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda match: SAMPLE_ARGUMENTS.get(match.group(1) or "str", "x"), route)
    return "/" + path


def test_no_view_is_exempt_from_csrf_without_a_reason(db):
    exempt = sorted(
        {view_name(view) for _route, view in routed_views() if getattr(view, "csrf_exempt", False)}
        - {view_name(view) for _route, view in routed_views() if is_allowed_exempt(view)}
    )
    assert exempt == []


def test_the_walk_sees_the_forms_we_know_about():
    names = {view_name(view) for _route, view in routed_views()}
    assert "presscentre.comments.views.post" in names
    assert any(name.startswith("presscentre.embargo.views.") for name in names)
    assert any(name.startswith("wagtail.admin.") for name in names)
    assert sum(1 for route, _view in routed_views() if concrete_path(route)) > 300


def test_every_post_endpoint_refuses_a_post_without_a_token(newsroom, editor):
    """Signed in as a superuser, so that only the CSRF check stands between the post and the view."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    checked = 0
    for route, view in routed_views():
        path = concrete_path(route)
        if path is None or is_allowed_exempt(view):
            continue
        response = client.post(path, {"title": "forged"})
        assert response.status_code in (403, 404, 405), (path, response.status_code)
        if response.status_code == 403:
            assert b"CSRF" in response.content, path
        checked += 1
    assert checked > 300


# The embargo and admin forms: refused without the token, and nothing changes.


@pytest.fixture
def release(newsroom):
    return PressReleaseFactory(parent=newsroom, embargo_until=datetime(2031, 1, 1, 9, 0, tzinfo=UTC))


def test_a_forged_access_link_post_creates_no_link(release, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    data = {"name": "Forged Journalist", "email": "forged@example.com", "outlet": "Nowhere"}
    response = client.post(f"/admin/embargo/items/{release.pk}/links/", data)
    assert response.status_code == 403
    assert not AccessLink.objects.exists()


def test_a_forged_page_edit_changes_nothing(release, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(f"/admin/pages/{release.pk}/edit/", {"title": "Forged title", "action-publish": "1"})
    assert response.status_code == 403
    release.refresh_from_db()
    assert release.title != "Forged title"


def test_a_forged_admin_login_is_refused(editor):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "editor", "password": "editor-password"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_read_api_takes_no_post(newsroom):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/api/v2/pages/", {"title": "x"}).status_code == 405


def test_the_admin_api_checks_csrf_for_a_signed_in_editor(release, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(f"/admin/api/main/pages/{release.pk}/action/unpublish/", {}, content_type="application/json")
    assert response.status_code == 403
    release.refresh_from_db()
    assert release.live


# The comment form: no CSRF token, by design. Its ticket plays that part, and the post carries no authority.


@pytest.fixture
def article(newsroom, settings):
    settings.PRESSCENTRE_COMMENT_ALTCHA_MAX_NUMBER = 1000
    return ArticleFactory(parent=newsroom, published_at=datetime.now(UTC) - timedelta(days=1))


def post_comment(client, item, data):
    return client.post(f"/comments/post/{item.pk}/", data)


def ticket_cases(article, newsroom):
    issued = datetime.now(UTC) - timedelta(minutes=1)
    good = filled_form(article, at=issued)
    other_item = ArticleFactory(parent=newsroom, published_at=issued)
    return {
        "no ticket": {**good, "ticket": ""},
        "garbage ticket": {**good, "ticket": "not-a-ticket"},
        "tampered ticket": {**good, "ticket": good["ticket"][:-2] + "xx"},
        "another item's ticket": filled_form(other_item, at=issued),
        "expired ticket": filled_form(article, at=issued - timedelta(days=1)),
        "ticket from the future": filled_form(article, at=datetime.now(UTC) + timedelta(seconds=1)),
        "wrong answer": {**good, "answer": "999"},
    }


def test_a_comment_post_without_a_valid_ticket_changes_nothing(article, newsroom):
    client = Client(enforce_csrf_checks=True)
    for case, data in ticket_cases(article, newsroom).items():
        response = post_comment(client, article, data)
        assert response.status_code == 400, case
        assert not Comment.objects.exists(), case


def test_a_replayed_ticket_changes_nothing(article):
    client = Client(enforce_csrf_checks=True)
    data = filled_form(article, at=datetime.now(UTC) - timedelta(minutes=1))
    assert post_comment(client, article, data).status_code == 302
    assert post_comment(client, article, {**data, "body": "Again"}).status_code == 400
    assert Comment.objects.count() == 1


def test_a_signed_in_editors_comment_gets_no_authority_from_the_session(article, editor):
    """A forged post from an editor's browser is only ever an anonymous reader's comment, held for review."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    data = filled_form(article, at=datetime.now(UTC) - timedelta(minutes=1), name="Editor's name")
    assert post_comment(client, article, data).status_code == 302
    comment = Comment.objects.get()
    assert comment.user is None
    assert comment.status == Comment.Status.PENDING
