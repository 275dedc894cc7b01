"""Production configuration: what `manage.py check --deploy`, the logs, the storage and the purges see when the
environment says production. Each case starts a fresh `manage.py` because settings are read once, at start."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

# Variables a developer's shell may hold that would change what the production settings read.
_CLEARED = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "LOG_FORMAT",
    "PRESSCENTRE_VARNISH_URL",
    "PRESSCENTRE_CLOUDFLARE_ZONE_ID",
    "PRESSCENTRE_CLOUDFRONT_DISTRIBUTION_ID",
    "AWS_STORAGE_BUCKET_NAME",
    "DJANGO_SETTINGS_MODULE",
)


def production_env(**overrides: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in _CLEARED}
    env.update(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50)[:50], ALLOWED_HOSTS="example.org")
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed argv: this interpreter and the project's manage.py
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_check_deploy_reports_an_operator_turning_https_off():
    # The same run as above, minus the redirect and HSTS: the check must notice, or the test above proves nothing.
    env = production_env(SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0")

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "security.W008" in result.stderr and "security.W004" in result.stderr


def test_production_reads_logs_purges_and_storage_from_the_environment():
    env = production_env(
        LOG_FORMAT="json",
        PRESSCENTRE_VARNISH_URL="http://10.0.0.5:6081,http://10.0.0.6:6081",
        PRESSCENTRE_CLOUDFRONT_DISTRIBUTION_ID="E123EXAMPLE",
        AWS_STORAGE_BUCKET_NAME="press-media",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    script = (
        "import json, logging\n"
        "from django.conf import settings\n"
        "from django.core.files.storage import storages\n"
        "logging.getLogger('presscentre.deploycheck').warning('ready', extra={'item': 7})\n"
        "print(json.dumps({'frontend': {k: v.get('location') or v.get('distribution_id') "
        "for k, v in settings.PRESSCENTRE_EDGE_CACHES.items()}, 'storage': type(storages['default']).__name__, "
        "'proxy': settings.SECURE_PROXY_SSL_HEADER, 'secure': settings.SESSION_COOKIE_SECURE, "
        "'csrf_httponly': settings.CSRF_COOKIE_HTTPONLY}))\n"
    )

    result = manage("shell", "--no-imports", "-c", script, env=env)

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {
        "frontend": {
            "varnish1": "http://10.0.0.5:6081",
            "varnish2": "http://10.0.0.6:6081",
            "cloudfront": "E123EXAMPLE",
        },
        "storage": "AppServedS3Storage",  # the bucket stays private; pages show the app's own image addresses
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "secure": True,
        "csrf_httponly": True,
    }
    log_line = next(line for line in result.stderr.splitlines() if "presscentre.deploycheck" in line)
    assert json.loads(log_line) | {"time": None} == {
        "time": None,
        "level": "WARNING",
        "logger": "presscentre.deploycheck",
        "message": "ready",
        "item": 7,
    }


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be text or json"),
        ("PRESSCENTRE_VARNISH_URL", "10.0.0.5:6081", "PRESSCENTRE_VARNISH_URL must list http:// addresses"),
    ],
)
def test_a_malformed_production_variable_stops_the_site_with_one_clear_message(variable, value, message):
    result = manage("check", env=production_env(**{variable: value}))

    assert result.returncode != 0
    assert message in result.stderr


def test_health_check_names_an_unreachable_cache_and_keeps_the_site_in(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:8659/0",  # nothing listens here
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }

    response = client.get("/healthz")

    # Pages are then served from the database: a load balancer must keep sending readers.
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unreachable"}
