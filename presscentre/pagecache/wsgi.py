"""The page cache in front of Django: a cached page is served without building a request.

A hit costs one round trip to the cache (the entry and its three tokens in one `get_many`), no middleware, no
session, no database and no template, only the comment challenge filled in when the page has one. A miss goes
through Django with the conditional headers removed, so the full page comes back; if the middleware labelled
it shareable, it is stored (with its security headers, which every middleware has already added) and then
served exactly as a hit would be.
"""

import json
import logging
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache

from presscentre.pagecache import esi, services

logger = logging.getLogger(__name__)

CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
# Headers the entry keeps apart (validators, which depend on the serve) or never sends.
UNSTORED_HEADERS = frozenset({"etag", "last-modified", "content-length", services.STORE_HEADER.lower()})
NOT_MODIFIED_DROPS = frozenset({"content-type", "content-length"})


class PageCacheApplication:
    """WSGI middleware: answer anonymous GET and HEAD requests from the page cache, fill it on a miss."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if not services.enabled():
            return self.application(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        path = request_path(environ)
        if services.request_bypasses(
            method, path, environ.get("HTTP_COOKIE", ""), has_authorization="HTTP_AUTHORIZATION" in environ
        ):
            return self.application(environ, start_response)
        key = services.entry_key(request_scheme(environ), request_host(environ), path, environ.get("QUERY_STRING", ""))
        path_key = services.path_token_key(path)
        try:
            current = cache.get_many(services.lookup_keys(key, path_key))
        except Exception:
            logger.exception("Page cache unreachable; serving from the application")
            return self.application(environ, start_response)
        entry = current.get(key)
        fresh = entry is not None and not services.is_expired(entry, time.time())
        if fresh and services.is_current(entry, current, path_key):
            return serve(entry, environ, start_response, state="hit")
        if method != "GET":
            return self.application(environ, start_response)
        return self._fill(environ, start_response, key, path_key, services.ensure_tokens(current, path_key), entry)

    def _fill(self, environ, start_response, key: str, path_key: str, current: dict, previous):
        inner = {name: value for name, value in environ.items() if name not in CONDITIONAL_HEADERS}
        inner[services.ENVIRON_FLAG] = True
        captured = {}
        written = []  # WSGI's legacy write(): Django never uses it, but an application may

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers, exc_info=exc_info)
            return written.append

        result = self.application(inner, capture)
        label = _header(captured["headers"], services.STORE_HEADER)
        if label is None:
            write = start_response(captured["status"], captured["headers"], captured["exc_info"])
            for chunk in written:
                write(chunk)
            return result
        try:
            body = b"".join(written) + b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        label = json.loads(label)
        entry = make_entry(captured["status"], captured["headers"], body, label, current, path_key, previous)
        if None in entry.tokens:
            # The cache could not be reached when the tokens were read: a copy kept now would carry no purge
            # generation, and a cache emptied meanwhile would match it.
            return serve(entry, environ, start_response, state="miss")
        try:
            cache.set(key, entry, timeout=label["ttl"])
        except Exception:
            logger.exception("Page cache unreachable; page not stored")
        return serve(entry, environ, start_response, state="miss")


def _header(headers, name: str) -> str | None:
    name = name.lower()
    return next((value for header, value in headers if header.lower() == name), None)


def make_entry(
    status: str, headers, body: bytes, label: dict, current: dict, path_key: str, previous=None
) -> services.Entry:
    """The entry to store for a response; `previous` is the copy it replaces (purged or expired), if any.

    A page rebuilt unchanged (same status and ETag) keeps the previous copy's Last-Modified: a purge that
    changed nothing this page shows, such as publishing an item still under embargo, must not move it.
    """
    from django.utils.http import parse_http_date_safe

    last_modified = parse_http_date_safe(_header(headers, "Last-Modified") or "") or time.time()
    etag = _header(headers, "ETag") or services.content_etag(body)
    if previous is not None and previous.status == status and previous.etag == etag:
        last_modified = min(last_modified, previous.last_modified)
    return services.Entry(
        status=status,
        headers=[(name, value) for name, value in headers if name.lower() not in UNSTORED_HEADERS],
        body=body,
        last_modified=last_modified,
        tokens=services.tokens_for(label["group"], current, path_key),
        etag=etag,
        expires_at=label.get("expires"),
    )


def serve(entry: services.Entry, environ, start_response, *, state: str):
    """Send an entry: fill in its challenge unless a surrogate will, and answer If-None-Match/If-Modified-Since."""
    now = time.time()
    body = entry.body
    headers = list(entry.headers)
    expanded = False
    if entry.has_esi:
        if esi.surrogate_does_esi(environ.get("HTTP_SURROGATE_CAPABILITY", "")):
            headers.append(("Surrogate-Control", 'content="ESI/1.0"'))
        else:
            body = esi.expand(body, at=datetime.fromtimestamp(now, tz=UTC))
            expanded = True
            headers = [(n, v) for n, v in headers if n.lower() != "cache-control"]
            headers.append(("Cache-Control", services.private_cache_control()))
    etag, last_modified = services.validators_for(entry.etag, entry.last_modified, expanded=expanded, now=now)
    headers += [
        ("ETag", etag),
        ("Last-Modified", services.http_date_of(last_modified)),
        (services.STATUS_HEADER, state),
    ]
    if entry.status.startswith("200") and services.not_modified(
        environ.get("HTTP_IF_NONE_MATCH", ""),
        environ.get("HTTP_IF_MODIFIED_SINCE", ""),
        etag=etag,
        last_modified=last_modified,
    ):
        start_response("304 Not Modified", [(n, v) for n, v in headers if n.lower() not in NOT_MODIFIED_DROPS])
        return []
    headers.append(("Content-Length", str(len(body))))
    start_response(entry.status, headers)
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


def request_path(environ) -> str:
    """The decoded path, as Django sees it (WSGI hands it over as Latin-1), with any mount prefix."""
    raw = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "/")
    return raw.encode("latin-1", "replace").decode("utf-8", "replace") or "/"


def request_host(environ) -> str:
    if settings.USE_X_FORWARDED_HOST and environ.get("HTTP_X_FORWARDED_HOST"):
        return environ["HTTP_X_FORWARDED_HOST"].split(",")[0].strip()
    return environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"


def request_scheme(environ) -> str:
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    if proxy_header and environ.get(proxy_header[0]) == proxy_header[1]:
        return "https"
    return environ.get("wsgi.url_scheme", "http")
