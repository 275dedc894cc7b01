"""Security headers on every public response, the Content Security Policy, and the admin's own policy."""

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.core.cache import cache

from presscentre.comments.models import Comment
from presscentre.comments.tests.factories import CommentFactory
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    MediaAppearanceFactory,
    PersonFactory,
    PressReleaseFactory,
    ReportFactory,
)

PUBLISHED = datetime.now(UTC) - timedelta(days=1)  # recent, so comments are still open
PRODUCTION_SETTINGS = [
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def site_content(newsroom):
    """One item of each type, with a category, a person and an approved comment, for every public surface."""
    category = CategoryFactory(name="Economy")
    person = PersonFactory(name="Asha Menon", slug="asha-menon")
    items = [
        factory(parent=newsroom, published_at=PUBLISHED, categories=[category], people=[person])
        for factory in (PressReleaseFactory, ArticleFactory, ReportFactory, MediaAppearanceFactory)
    ]
    CommentFactory(item=items[1], status=Comment.Status.APPROVED)
    return {"items": items, "category": category, "person": person}


def public_paths(content) -> list[str]:
    items = content["items"]
    return [
        "/",
        "/?type=press-release",
        *[item.url for item in items],
        "/category/economy/",
        "/author/asha-menon/",
        "/feed/",
        "/feed/atom/",
        "/feed/json/",
        "/feed/podcast/",
        "/category/economy/feed/",
        "/author/asha-menon/feed/",
        "/comments/feed/",
        f"/comments/feed/{items[1].pk}/",
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/sitemap-items-0.xml",
        "/news-sitemap.xml",
        "/robots.txt",
        "/search/?q=budgets",
        "/api/v2/pages/",
        f"/api/v2/pages/{items[0].pk}/",
        "/healthz",
        "/no-such-page/",
    ]


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {directive[0]: directive[1:] for directive in directives}


def assert_strict_policy(response, path: str) -> None:
    policy = policy_of(response)
    assert policy.get("default-src") == ["'self'"], path
    assert policy.get("script-src") == ["'self'"], path
    assert policy.get("object-src") == ["'none'"], path
    assert policy.get("base-uri") == ["'self'"], path
    assert policy.get("form-action") == ["'self'"], path
    assert policy.get("frame-ancestors") == ["'none'"], path
    assert set(policy.get("img-src", [])) >= {"'self'", "data:"}, path
    assert "'unsafe-inline'" not in policy.get("style-src", []), path


def test_every_public_response_carries_the_security_headers(site_content, reader):
    for path in public_paths(site_content):
        response = reader.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert_strict_policy(response, path)
        assert response.headers.get("X-Frame-Options") == "DENY", path
        assert response.headers.get("X-Content-Type-Options") == "nosniff", path
        assert response.headers.get("Referrer-Policy") == "same-origin", path
        assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", path


def test_comment_post_responses_carry_the_policy_too(site_content, reader):
    item = site_content["items"][1]
    response = reader.post(f"/comments/post/{item.pk}/", {"name": "x"})
    assert response.status_code == 400
    assert_strict_policy(response, "comment post")
    assert response.headers["X-Frame-Options"] == "DENY"


def assert_no_inline_script(html: bytes, path: str) -> None:
    soup = BeautifulSoup(html, "lxml")
    for script in soup.find_all("script"):
        if script.get("type") == "application/ld+json":
            json.loads(script.string)  # data, not code: it must at least be well-formed
            continue
        assert script.get("src", "").startswith(django_settings.STATIC_URL), (path, str(script)[:200])
        assert not (script.string or "").strip(), (path, str(script)[:200])
    for element in soup.find_all(True):
        handlers = [name for name in element.attrs if name.lower().startswith("on")]
        assert not handlers, (path, element.name, handlers)
        assert "style" not in element.attrs, (path, str(element)[:200])
        for name in ("href", "src", "action", "formaction"):
            value = "".join(str(element.get(name, "")).split()).lower()
            assert not value.startswith(("javascript:", "vbscript:", "data:text/html")), (path, name, value)
    assert not soup.find_all("style"), path


def test_public_pages_run_no_inline_script(site_content, reader):
    for path in public_paths(site_content):
        response = reader.get(path)
        if response.headers.get("Content-Type", "").startswith("text/html"):
            assert_no_inline_script(response.content, path)


def test_altcha_stylesheet_hash_matches_the_widget_we_ship():
    """The widget injects one <style>; if an upgrade changes it, the policy's hash must change with it."""
    source = Path(finders.find("altcha/altcha.min.js")).read_text(encoding="utf-8")
    match = re.search(r"='([^'\\]*)';function \w+\(e,t=\"__altcha-css\"\)", source)
    assert match, "the ALTCHA widget no longer injects its stylesheet the way the policy expects"
    digest = base64.b64encode(hashlib.sha256(match.group(1).encode()).digest()).decode()
    assert django_settings.ALTCHA_STYLE_HASH == f"'sha256-{digest}'"
    assert django_settings.ALTCHA_STYLE_HASH in django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


def test_comment_form_policy_lets_the_altcha_widget_work(site_content, reader):
    item = site_content["items"][1]
    response = reader.get(item.url)
    soup = BeautifulSoup(response.content, "lxml")
    assert soup.find("altcha-widget") is not None
    widget_script = soup.find("script", src=re.compile(r"altcha\.min\.js$"))
    assert widget_script is not None and widget_script["src"].startswith(django_settings.STATIC_URL)
    policy = policy_of(response)
    assert "blob:" in policy["worker-src"]  # the proof of work runs in workers made from blobs
    assert django_settings.ALTCHA_STYLE_HASH in policy["style-src"]


# The admin


def test_admin_gets_its_own_policy_and_its_pages_still_work(site_content, client, editor):
    client.force_login(editor)
    item = site_content["items"][0]
    for path in [
        "/admin/",
        f"/admin/pages/{item.get_parent().pk}/",
        f"/admin/pages/{item.pk}/edit/",
        "/admin/images/",
        "/admin/documents/",
        "/django-admin/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        policy = policy_of(response)
        assert "'unsafe-inline'" in policy["script-src"], path
        assert policy["frame-ancestors"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"], path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_admin_login_page_is_served_under_the_admin_policy(db, reader):
    response = reader.get("/admin/login/")
    assert response.status_code == 200
    assert policy_of(response)["frame-ancestors"] == ["'self'"]


def test_admin_preview_may_be_framed_by_the_admin_only(site_content, client, editor):
    """Wagtail's preview panel is an iframe of /admin/pages/<id>/edit/preview/ inside the editor."""
    client.force_login(editor)
    item = site_content["items"][0]
    response = client.get(f"/admin/pages/{item.pk}/edit/preview/")
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert policy_of(response)["frame-ancestors"] == ["'self'"]


# Production: what the deployment settings add, read from the settings module with production variables.


def production_values() -> dict:
    """The security settings as a production process would see them (DEBUG off, HTTPS)."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "a-production-like-secret-key-for-the-settings-test-only-0123456789",
        "ALLOWED_HOSTS": "testserver",
    }
    names = json.dumps(PRODUCTION_SETTINGS)
    program = (
        "import json, django; django.setup(); from django.conf import settings;"
        f"print(json.dumps({{n: getattr(settings, n) for n in {names}}}))"
    )
    env["DJANGO_SETTINGS_MODULE"] = "presscentre.settings"
    result = subprocess.run(  # noqa: S603 - our own interpreter and settings module
        [sys.executable, "-c", program],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production():
    return production_values()


def test_production_settings_turn_on_hsts_and_secure_cookies(production):
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert production["CONTENT_SECURITY_POLICY"] == django_settings.CONTENT_SECURITY_POLICY


def test_production_headers_are_on_every_public_response(site_content, settings, production, client):
    for name, value in production.items():
        setattr(settings, name, value)
    for path in public_paths(site_content):
        response = client.get(path, secure=True)
        assert response.status_code in (200, 404), (path, response.status_code)
        hsts = response.headers.get("Strict-Transport-Security", "")
        assert f"max-age={production['SECURE_HSTS_SECONDS']}" in hsts, path
        assert "includeSubDomains" in hsts, path
        assert_strict_policy(response, path)
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
    assert client.get("/", secure=False).status_code == 301  # plain HTTP goes to HTTPS


def test_production_cookies_are_secure_and_http_only(site_content, settings, production, client, editor):
    for name, value in production.items():
        setattr(settings, name, value)
    login = client.post(
        "/admin/login/", {"username": "editor", "password": "editor-password"}, secure=True, follow=False
    )
    assert login.status_code == 302
    session = client.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    csrf = client.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["secure"]
    assert bool(csrf["httponly"]) is production["CSRF_COOKIE_HTTPONLY"]


def test_the_readers_pending_comment_cookie_is_secure_and_http_only(site_content, settings, production, client):
    from presscentre.comments.tests.factories import filled_form

    for name, value in production.items():
        setattr(settings, name, value)
    settings.PRESSCENTRE_COMMENT_ALTCHA_MAX_NUMBER = 1000
    item = site_content["items"][1]
    issued = datetime.now(UTC) - timedelta(minutes=1)
    response = client.post(f"/comments/post/{item.pk}/", filled_form(item, at=issued), secure=True)
    assert response.status_code == 302
    cookie = client.cookies["presscentre_comments"]
    assert cookie["secure"] and cookie["httponly"]


def test_the_journalists_pages_carry_the_headers_and_no_inline_script(newsroom, editor, client):
    """The personal link's terms page and the embargoed copy: private pages, under the same strict policy."""
    from presscentre.embargo.services import create_access_link

    now = datetime.now(UTC)
    release = PressReleaseFactory(parent=newsroom, published_at=now, embargo_until=now + timedelta(days=30))
    link = create_access_link(
        release, name="Jane Doe", email="jane@ledger.example", outlet="The Daily Ledger", by=editor, at=now
    )
    terms = client.get(link.get_absolute_url())  # the terms to accept first
    client.post(f"{link.get_absolute_url()}accept-terms/", {"accept": "on"})
    copy = client.get(link.get_absolute_url())  # then the embargoed copy itself
    assert release.title in copy.content.decode()
    for name, response in (("terms", terms), ("copy", copy)):
        assert response.status_code == 200, name
        assert_strict_policy(response, name)
        assert response.headers["X-Frame-Options"] == "DENY"
        assert_no_inline_script(response.content, name)
