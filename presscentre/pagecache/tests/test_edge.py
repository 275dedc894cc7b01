"""The edge senders (`pagecache/edge.py`): Varnish is a real HTTP server here; Cloudflare's and Fastly's purge APIs
are third-party services we cannot reach, so each is a local HTTP server answering as its documentation says;
CloudFront is boto3's own client with botocore's Stubber. A failing or frozen edge never blocks the change: the
purge is retried from the task queue."""

import http.server
import json
import socket
import threading

import pytest

from presscentre.pagecache import edge, purge
from presscentre.pagecache.tests.edge_server import EdgeRecorder, serve


class FakeAPI:
    """Records each request's method, path, headers and JSON body; answers `answer`."""

    def __init__(self, answer: dict | None = None, status: int = 200) -> None:
        self.requests: list[dict] = []
        self.answer, self.status = answer or {"success": True}, status
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the HTTP method's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                api.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "json": json.loads(body) if body else None,
                    }
                )
                payload = json.dumps(api.answer).encode()
                self.send_response(api.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_api():
    apis = []

    def make(**kwargs) -> FakeAPI:
        apis.append(FakeAPI(**kwargs))
        return apis[-1]

    yield make
    for api in apis:
        api.close()


@pytest.fixture
def queued(settings, db):
    """The retries queued, from the real database queue the worker reads."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def read():
        return [row.args_kwargs["args"] for row in DBTaskResult.objects.filter(task_path__endswith="retry_edge_purge")]

    return read


TAGS = [f"item-{n}" for n in range(65)]


def test_cloudflare_is_sent_the_tags_in_batches_its_api_takes(settings, fake_api):
    api = fake_api()
    settings.PRESSCENTRE_EDGE_CACHES = {
        "cloudflare": {"kind": "cloudflare", "zone_id": "zone-1", "token": "secret", "api_url": f"{api.url}/client/v4"}
    }

    purge.purge_edges(TAGS)

    assert [request["path"] for request in api.requests] == ["/client/v4/zones/zone-1/purge_cache"] * 3
    assert [len(request["json"]["tags"]) for request in api.requests] == [30, 30, 5]
    assert sum((request["json"]["tags"] for request in api.requests), []) == TAGS
    assert api.requests[0]["headers"]["authorization"] == "Bearer secret"


def test_cloudflare_refusing_the_purge_queues_a_retry(settings, fake_api, queued):
    api = fake_api(answer={"success": False, "errors": [{"code": 1134, "message": "rate limited"}]})
    settings.PRESSCENTRE_EDGE_CACHES = {
        "cloudflare": {"kind": "cloudflare", "zone_id": "z", "token": "t", "api_url": api.url}
    }

    purge.purge_edges(["item-1", "index"])

    assert queued() == [["cloudflare", ["item-1", "index"], 1]]


def test_fastly_is_sent_surrogate_keys(settings, fake_api):
    api = fake_api(answer={"status": "ok"})
    settings.PRESSCENTRE_EDGE_CACHES = {
        "fastly": {"kind": "fastly", "service_id": "svc", "token": "key", "api_url": api.url}
    }

    purge.purge_edges(["index", "item-7"])

    (request,) = api.requests
    assert request["path"] == "/service/svc/purge"
    assert request["headers"]["surrogate-key"] == "index item-7"
    assert request["headers"]["fastly-key"] == "key"


def test_cloudfront_invalidates_everything_under_the_site(settings, monkeypatch):
    import boto3
    from botocore.stub import ANY, Stubber

    client = boto3.client("cloudfront", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    stubber = Stubber(client)
    everything = {"Paths": {"Quantity": 1, "Items": ["/*"]}}
    invalidation = {"Id": "I1", "Status": "InProgress", "CreateTime": "2030-01-01T00:00:00Z"}
    stubber.add_response(
        "create_invalidation",
        {
            "Location": "x",
            "Invalidation": {**invalidation, "InvalidationBatch": {**everything, "CallerReference": "c"}},
        },
        {"DistributionId": "E123", "InvalidationBatch": {**everything, "CallerReference": ANY}},
    )
    monkeypatch.setattr(boto3, "client", lambda *args, **kwargs: client)
    settings.PRESSCENTRE_EDGE_CACHES = {"cloudfront": {"kind": "everything", "distribution_id": "E123"}}

    with stubber:
        purge.purge_edges(["item-1", "index"])
        stubber.assert_no_pending_responses()


def test_a_frozen_varnish_times_out_and_the_change_commits(
    settings, monkeypatch, queued, newsroom, django_capture_on_commit_callbacks
):
    from presscentre.newsroom.tests.factories import CategoryFactory

    frozen = socket.socket()
    frozen.bind(("127.0.0.1", 0))
    frozen.listen(1)  # accepts the connection, never answers
    monkeypatch.setattr(edge, "TIMEOUT_SECONDS", 0.3)
    settings.PRESSCENTRE_EDGE_CACHES = {
        "varnish1": {"kind": "varnish", "location": f"http://127.0.0.1:{frozen.getsockname()[1]}"}
    }
    try:
        with django_capture_on_commit_callbacks(execute=True):
            topic = CategoryFactory(name="Energy")
    finally:
        frozen.close()

    topic.refresh_from_db()  # the change stands
    assert [args[0] for args in queued()] == ["varnish1"]


def test_every_varnish_gets_every_purge(settings):
    recorders = [EdgeRecorder(), EdgeRecorder()]
    servers = [serve(recorder) for recorder in recorders]
    settings.PRESSCENTRE_EDGE_CACHES = {
        f"varnish{n}": {"kind": "varnish", "location": f"http://127.0.0.1:{server.server_address[1]}"}
        for n, server in enumerate(servers, start=1)
    }
    try:
        purge.purge_edges(["index", "item-3"])
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()

    assert [recorder.tag_sets for recorder in recorders] == [[{"index", "item-3"}]] * 2


def test_a_tag_outside_the_vocabulary_is_refused_before_anything_is_sent():
    with pytest.raises(ValueError):
        purge.purge(["item 1; ban everything"])
