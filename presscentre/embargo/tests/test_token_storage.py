"""Journalist tokens are stored only as a hash and never reach a log line (issue 15, defect 4)."""

import hashlib
import importlib
import logging
from datetime import UTC, datetime, timedelta

import pytest

from presscentre.core.log_filters import mask_journalist_tokens
from presscentre.embargo.models import AccessLink
from presscentre.embargo.services import can_view, create_access_link, find_access_link

LIFT = datetime(2030, 3, 2, 0, 1, tzinfo=UTC)
CREATED = LIFT - timedelta(days=2)
TOKEN = "Zq3-example_token_of_forty_three_characters"  # noqa: S105 (a made-up token)


@pytest.fixture(autouse=True)
def _before_the_lift(time_machine):
    time_machine.move_to(CREATED + timedelta(hours=1), tick=False)


@pytest.fixture
def release(newsroom):
    from presscentre.newsroom.tests.factories import PressReleaseFactory

    return PressReleaseFactory(parent=newsroom, title="Pay gap report", embargo_until=LIFT)


@pytest.fixture
def link(release, editor):
    return create_access_link(release, name="Jane Doe", email="jane@example.org", outlet="", by=editor, at=CREATED)


def test_the_database_holds_a_hash_and_a_short_prefix_never_the_token(link):
    stored = AccessLink.objects.filter(pk=link.pk).values().get()

    assert link.token not in str(stored)
    assert stored["token_hash"] == hashlib.sha256(link.token.encode()).hexdigest()
    assert stored["token_prefix"] == link.token[:6]


def test_a_link_read_back_from_the_database_has_no_token_to_show(link):
    again = AccessLink.objects.get(pk=link.pk)

    assert again.token is None
    with pytest.raises(ValueError):
        again.get_absolute_url()


def test_the_token_still_finds_and_opens_its_link(link, release):
    found = find_access_link(link.token)

    assert found == link and found.token == link.token
    assert can_view(release, at=CREATED + timedelta(hours=1), token=link.token)
    assert find_access_link(link.token_hash) is None, "the stored hash is not a token"


def test_the_data_migration_hashes_existing_tokens_so_old_links_keep_working(link, release):
    migration = importlib.import_module("presscentre.embargo.migrations.0002_hash_access_link_tokens")
    old = {"token": TOKEN, "token_hash": None, "token_prefix": ""}

    migration.hash_token_row(old)

    assert old["token_hash"] == hashlib.sha256(TOKEN.encode()).hexdigest() and old["token_prefix"] == TOKEN[:6]
    AccessLink.objects.filter(pk=link.pk).update(token_hash=old["token_hash"], token_prefix=old["token_prefix"])
    assert can_view(release, at=CREATED + timedelta(hours=1), token=TOKEN)


def test_the_data_migration_runs_over_every_row(link):
    migration = importlib.import_module("presscentre.embargo.migrations.0002_hash_access_link_tokens")

    class Rows:
        """A stand-in for the historical model: the migration only reads and writes these three columns."""

        saved = []

        class objects:  # noqa: N801
            @staticmethod
            def all():
                return Rows.objects

            @staticmethod
            def iterator():
                return iter([Row()])

    class Row:
        def __init__(self):
            self.token, self.token_hash, self.token_prefix = TOKEN, None, ""

        def save(self, update_fields):
            Rows.saved.append((self.token_hash, self.token_prefix, sorted(update_fields)))

    class FakeApps:
        def get_model(self, app_label, name):
            return Rows

    migration.hash_existing_tokens(FakeApps(), None)

    assert Rows.saved == [(hashlib.sha256(TOKEN.encode()).hexdigest(), TOKEN[:6], ["token_hash", "token_prefix"])]


@pytest.mark.parametrize(
    "suffix", ["", "accept-terms/", "documents/12/", "embargo.ics", "release.txt", "?utm=x", "documents/1/?a=b"]
)
def test_a_404_on_any_token_path_logs_no_token(newsroom, client, caplog, suffix):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/embargoed/{TOKEN}/{suffix}")

    assert response.status_code in (404, 405)
    assert caplog.records, "the 404 is still logged"
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN[6:] not in logging.Formatter("%(message)s").format(record)
        assert "/embargoed/" in record.getMessage()


def test_the_development_server_s_access_line_carries_no_token(client):
    from django.core.servers.basehttp import WSGIRequestHandler

    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /embargoed/{TOKEN}/ HTTP/1.1", "404", "0"),
        None,
    )
    assert mask_journalist_tokens(record) is True
    assert TOKEN not in record.getMessage()
    assert "/embargoed/Zq3-ex" in record.getMessage()
    assert WSGIRequestHandler  # the runserver handler logs through django.server, which the settings filter


def test_the_settings_filter_every_handler_so_runserver_and_request_logs_are_masked():
    from django.conf import settings

    for handler in settings.LOGGING["handlers"].values():
        assert "journalist_tokens" in handler["filters"]


def test_the_gunicorn_access_line_carries_no_token():
    from types import SimpleNamespace

    from gunicorn.config import Config

    spec = importlib.util.spec_from_file_location("gunicorn_conf", "deploy/gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", conf.access_log_format)
    config.set("logger_class", conf.logger_class)
    logger = config.logger_class(config)
    lines = []
    logger.access_log.handlers = [_Collect(lines)]
    response = SimpleNamespace(status="404 Not Found", response_length=9, headers=[], sent=9)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/embargoed/{TOKEN}/release.txt",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": f"/embargoed/{TOKEN}/release.txt",
    }
    request = SimpleNamespace(
        method="GET",
        uri=f"/embargoed/{TOKEN}/release.txt",
        path=f"/embargoed/{TOKEN}/release.txt",
        query="",
        version=(1, 1),
        headers=[],
        peer_addr="127.0.0.1",
        remote_addr="127.0.0.1",
    )

    logger.access(response, request, environ, timedelta(milliseconds=3))

    assert lines and "/embargoed/Zq3-ex" in lines[0] and "release.txt" in lines[0]
    assert TOKEN not in lines[0]


class _Collect(logging.Handler):
    def __init__(self, lines):
        super().__init__()
        self.lines = lines

    def emit(self, record):
        self.lines.append(self.format(record))
