"""A minimal WSGI client: calls the page cache application with real environ dicts, as a server would."""

import io
from urllib.parse import urlsplit

from django.core.handlers.wsgi import WSGIHandler

from presscentre.pagecache.wsgi import PageCacheApplication


class WSGIResponse:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes):
        self.status = status
        self.status_code = int(status.split()[0])
        self.header_list = headers
        self.headers = {name.lower(): value for name, value in headers}
        self.content = body
        self.streaming = False

    def get(self, name: str, default=None):
        return self.headers.get(name.lower(), default)

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.headers

    @property
    def cache_state(self) -> str | None:
        return self.get("X-Page-Cache")


def environ_for(url: str, *, method: str = "GET", body: bytes = b"", cookies: str = "", **headers) -> dict:
    parts = urlsplit(url)
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": parts.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    if body:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    if cookies:
        environ["HTTP_COOKIE"] = cookies
    for name, value in headers.items():
        environ[name if name.startswith("HTTP_") else f"HTTP_{name.upper()}"] = value
    return environ


class WSGIClient:
    """Sends requests through `PageCacheApplication(WSGIHandler())`: the stack gunicorn runs."""

    def __init__(self, application=None):
        self.application = application or PageCacheApplication(WSGIHandler())

    def request(self, url: str, **kwargs) -> WSGIResponse:
        captured = {}
        written = []

        def start_response(status, headers, exc_info=None):
            captured.update(status=status, headers=headers)
            return written.append

        result = self.application(environ_for(url, **kwargs), start_response)
        try:
            body = b"".join(written) + b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return WSGIResponse(captured["status"], captured["headers"], body)

    def get(self, url: str, **kwargs) -> WSGIResponse:
        return self.request(url, **kwargs)

    def head(self, url: str, **kwargs) -> WSGIResponse:
        return self.request(url, method="HEAD", **kwargs)

    def post(self, url: str, body: bytes = b"", **kwargs) -> WSGIResponse:
        return self.request(url, method="POST", body=body, **kwargs)
