"""Every outside service has a time limit (issue 17, defect 6), and /healthz tells a degraded site from a down one.

Settings are read once, at start: the cases that check them run a fresh `manage.py` with their environment.
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection
from django.test import RequestFactory

from presscentre.core.env import env_seconds
from presscentre.core.views import healthz

REPO = Path(__file__).resolve().parents[3]
SETTINGS_READ = (
    "import json\n"
    "from django.conf import settings\n"
    "print(json.dumps({'cache': settings.CACHES['default'], 'database': settings.DATABASES['default']['OPTIONS'], "
    "'email_timeout': settings.EMAIL_TIMEOUT}))\n"
)
# Variables a developer's shell may hold that would change what these settings read.
_CLEARED = (
    "DATABASE_URL",
    "DATABASE_CONNECT_TIMEOUT",
    "DATABASE_STATEMENT_TIMEOUT_MS",
    "DATABASE_PREPARED_STATEMENTS",
    "REDIS_URL",
    "REDIS_CONNECT_TIMEOUT",
    "REDIS_TIMEOUT",
    "EMAIL_TIMEOUT",
    "DJANGO_SETTINGS_MODULE",
)


def manage(*args: str, timeout: float = 120, **variables: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in _CLEARED} | variables
    return subprocess.run(  # noqa: S603 - fixed argv: this interpreter and the project's manage.py
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )


def settings_seen(**variables: str) -> dict:
    result = manage("shell", "--no-imports", "-c", SETTINGS_READ, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def silent_port() -> tuple[socket.socket, int]:
    """A listening socket that completes TCP handshakes (the kernel does) and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    return listener, listener.getsockname()[1]


# Settings


def test_the_services_get_time_limits_by_default():
    seen = settings_seen(REDIS_URL="redis://10.0.0.9:6379/0", DATABASE_URL="postgres://press@10.0.0.8:5432/press")

    assert seen["cache"] == {
        "BACKEND": "presscentre.pagecache.cache_backend.FailSoftRedisCache",
        "LOCATION": "redis://10.0.0.9:6379/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }
    assert seen["database"]["connect_timeout"] == 5
    assert "options" not in seen["database"]  # no statement timeout unless the process asks for one
    assert seen["email_timeout"] == 10


def test_the_time_limits_are_read_from_the_environment():
    seen = settings_seen(
        REDIS_URL="redis://10.0.0.9:6379/0",
        REDIS_CONNECT_TIMEOUT="0.2",
        REDIS_TIMEOUT="0.75",
        DATABASE_URL="postgres://press@10.0.0.8:5432/press",
        DATABASE_CONNECT_TIMEOUT="3",
        DATABASE_STATEMENT_TIMEOUT_MS="15000",
        EMAIL_TIMEOUT="20",
    )

    assert seen["cache"]["OPTIONS"] == {"socket_connect_timeout": 0.2, "socket_timeout": 0.75}
    assert seen["database"]["connect_timeout"] == 3
    assert seen["database"]["options"] == "-c statement_timeout=15000"
    assert seen["email_timeout"] == 20


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("REDIS_TIMEOUT", "fast", "REDIS_TIMEOUT must be a number of seconds"),
        ("REDIS_CONNECT_TIMEOUT", "0", "REDIS_CONNECT_TIMEOUT must be a number of seconds of at least 0.05"),
        ("DATABASE_CONNECT_TIMEOUT", "0", "DATABASE_CONNECT_TIMEOUT must be at least 1"),
        ("DATABASE_STATEMENT_TIMEOUT_MS", "-5", "DATABASE_STATEMENT_TIMEOUT_MS must be at least 0"),
        ("EMAIL_TIMEOUT", "ten", "EMAIL_TIMEOUT must be a whole number"),
    ],
)
def test_a_malformed_time_limit_stops_the_site_with_one_clear_message(variable, value, message):
    result = manage("check", DATABASE_URL="postgres://press@10.0.0.8:5432/press", **{variable: value})

    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(("raw", "expected"), [("", 0.5), ("2", 2.0), ("0.25", 0.25), (" 1.5 ", 1.5)])
def test_seconds_accept_decimals(monkeypatch, raw, expected):
    monkeypatch.setenv("PC_SECONDS", raw)

    assert env_seconds("PC_SECONDS", default=0.5, minimum=0.1) == expected


@pytest.mark.parametrize("raw", ["soon", "0.01", "nan", "inf", "-1"])
def test_seconds_refuse_what_is_not_a_usable_duration(monkeypatch, raw):
    monkeypatch.setenv("PC_SECONDS", raw)

    with pytest.raises(ImproperlyConfigured, match="PC_SECONDS must be a number of seconds"):
        env_seconds("PC_SECONDS", default=0.5, minimum=0.1)


# Frozen services


def test_a_frozen_postgresql_fails_the_connection_within_its_connect_timeout():
    listener, port = silent_port()
    script = "from django.db import connection\nconnection.ensure_connection()\n"
    started = time.monotonic()
    try:
        result = manage(
            "shell",
            "--no-imports",
            "-c",
            script,
            timeout=60,
            DATABASE_URL=f"postgres://press@127.0.0.1:{port}/press",
            DATABASE_CONNECT_TIMEOUT="2",
        )
    finally:
        listener.close()

    assert result.returncode != 0
    assert "timeout" in result.stderr.lower()
    assert time.monotonic() - started < 30  # two seconds and a Python start, not the kernel's two minutes


def test_a_frozen_smtp_server_fails_the_send_within_email_timeout():
    listener, port = silent_port()
    started = time.monotonic()
    try:
        result = manage(
            "sendtestemail",
            "ada@example.net",
            timeout=60,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(port),
            EMAIL_TIMEOUT="1",
        )
    finally:
        listener.close()

    assert result.returncode != 0
    assert "timed out" in result.stderr
    assert time.monotonic() - started < 30  # a second and a Python start, not for as long as the server waits


@pytest.mark.postgres
def test_the_statement_timeout_cancels_a_long_statement_on_postgresql():
    # The server the suite runs on, its maintenance database: the one named in DATABASE_URL may not exist.
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres").geturl()
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('SHOW statement_timeout')\n"
        "    print(cursor.fetchone()[0])\n"
        "    cursor.execute('SELECT pg_sleep(5)')\n"
    )

    result = manage("shell", "--no-imports", "-c", script, DATABASE_URL=url, DATABASE_STATEMENT_TIMEOUT_MS="300")

    assert result.returncode != 0
    assert result.stdout.strip().splitlines()[-1] == "300ms"
    assert "canceling statement due to statement timeout" in result.stderr


# Health


def test_health_check_says_degraded_when_only_the_cache_is_down(client, db, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    settings.CACHES = {
        "default": {
            "BACKEND": "presscentre.pagecache.cache_backend.FailSoftRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unreachable"}


def test_health_check_fails_when_the_database_is_down(db):
    request = RequestFactory().get("/healthz")

    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = healthz(request)

    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unhealthy", "database": "unreachable", "cache": "ok"}
