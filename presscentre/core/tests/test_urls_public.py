"""The one public base: how it is configured and checked, and how absolute URLs are built from it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from wagtail.models import Page, Site

from presscentre.core.urls_public import checked_origin, public_base_url, public_page_url, public_url

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("raw", "origin"),
    [
        ("https://press.example.org", "https://press.example.org"),
        ("https://press.example.org/", "https://press.example.org"),
        (" http://127.0.0.1:8000 ", "http://127.0.0.1:8000"),
        ("HTTPS://Press.Example.ORG:8443", "https://press.example.org:8443"),
        ("http://[::1]:8000", "http://[::1]:8000"),
    ],
)
def test_an_http_origin_is_accepted_and_normalised(raw, origin):
    assert checked_origin(raw, name="PRESSCENTRE_PUBLIC_URL") == origin


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "press.example.org",
        "//press.example.org",
        "ftp://press.example.org",
        "javascript:alert(1)",
        "https://",
        "https://press.example.org/newsroom",
        "https://press.example.org/newsroom/",
        "https://press.example.org?lang=en",
        "https://press.example.org/?",
        "https://press.example.org#top",
        "https://editor:secret@press.example.org",
        "https://press.example.org:99999",
        "https://press.example.org:http",
        "https://press example.org",
    ],
)
def test_anything_but_an_http_origin_is_refused_with_the_settings_name(raw):
    with pytest.raises(ImproperlyConfigured, match=r"^PRESSCENTRE_PUBLIC_URL must be the site's public origin"):
        checked_origin(raw, name="PRESSCENTRE_PUBLIC_URL")


def _settings_process(**environment: str) -> subprocess.CompletedProcess:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PRESSCENTRE_PUBLIC_URL", "WAGTAILADMIN_BASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(DJANGO_SETTINGS_MODULE="presscentre.settings", **environment)
    script = "from django.conf import settings; print(settings.PRESSCENTRE_PUBLIC_URL, settings.WAGTAILAPI_BASE_URL)"
    return subprocess.run(  # noqa: S603 - our own interpreter and settings module
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_public_base_defaults_to_the_admin_base_and_feeds_wagtails_api_base():
    result = _settings_process(WAGTAILADMIN_BASE_URL="https://admin.example.org/")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://admin.example.org", "https://admin.example.org"]

    result = _settings_process(
        WAGTAILADMIN_BASE_URL="https://admin.example.org", PRESSCENTRE_PUBLIC_URL="https://press.example.org"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://press.example.org", "https://press.example.org"]


def test_a_malformed_public_base_stops_the_site_naming_the_variable_to_fix():
    result = _settings_process(PRESSCENTRE_PUBLIC_URL="press.example.org/newsroom")

    assert result.returncode != 0
    assert "ImproperlyConfigured: PRESSCENTRE_PUBLIC_URL must be the site's public origin" in result.stderr

    result = _settings_process(WAGTAILADMIN_BASE_URL="https://example.org/press-admin")

    assert result.returncode != 0
    assert "WAGTAILADMIN_BASE_URL (or set PRESSCENTRE_PUBLIC_URL) must be the site's public origin" in result.stderr


def test_public_url_puts_a_site_path_on_the_configured_base(settings):
    settings.PRESSCENTRE_PUBLIC_URL = "https://press.example.org"

    assert public_base_url() == "https://press.example.org"
    assert public_url("/feed/?type=report") == "https://press.example.org/feed/?type=report"
    assert public_url("") == "https://press.example.org/"
    # Media on object storage already has its own address; a protocol-relative one takes the base's scheme.
    assert public_url("https://media.example.net/a.png") == "https://media.example.net/a.png"
    assert public_url("//media.example.net/a.png") == "https://media.example.net/a.png"


def test_public_url_refuses_a_relative_path(settings):
    settings.PRESSCENTRE_PUBLIC_URL = "https://press.example.org"

    with pytest.raises(ValueError, match="path from the site root"):
        public_url("feed/")


def test_a_pages_public_url_ignores_the_site_records_hostname_and_the_requests_host(newsroom, settings, rf):
    settings.PRESSCENTRE_PUBLIC_URL = "https://press.example.org"
    Site.objects.filter(pk=newsroom.get_site().pk).update(hostname="cms.internal", port=8080)
    Site.clear_site_root_paths_cache()
    child = newsroom.add_child(instance=Page(title="About us", slug="about-us"))

    assert public_page_url(newsroom) == "https://press.example.org/"
    assert public_page_url(child) == "https://press.example.org/about-us/"
    assert public_page_url(child, rf.get("/", HTTP_HOST="localhost")) == "https://press.example.org/about-us/"


def test_a_page_under_no_site_has_no_public_url(db):
    assert public_page_url(Page.get_first_root_node()) == ""
