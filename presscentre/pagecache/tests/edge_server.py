"""A real HTTP server standing in for Varnish in tests: it notes each purge the app sends (`PURGE /` with
`X-Purge-Tags`) and answers as Varnish does. Tests use it through the `edge_purges` fixture, which the root
conftest loads for every app.
"""

import http.server
import threading

import pytest


class EdgeRecorder:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.status = 200

    @property
    def tag_sets(self) -> list[set[str]]:
        return [set(headers.get("x-purge-tags", "").split()) for _, _, headers in self.requests]

    @property
    def tags(self) -> set[str]:
        return set().union(*self.tag_sets)

    def clear(self) -> None:
        self.requests.clear()


def serve(recorder: EdgeRecorder):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_PURGE(self):  # noqa: N802 - the HTTP method's name
            recorder.requests.append(("PURGE", self.path, {k.lower(): v for k, v in self.headers.items()}))
            self.send_response(recorder.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def edge_purges(settings):
    """Point the app's edge purges at a recording server; yields the recorder."""
    recorder = EdgeRecorder()
    server = serve(recorder)
    settings.PRESSCENTRE_EDGE_CACHES = {
        "varnish1": {"kind": "varnish", "location": f"http://127.0.0.1:{server.server_address[1]}"}
    }
    yield recorder
    server.shutdown()
    server.server_close()
