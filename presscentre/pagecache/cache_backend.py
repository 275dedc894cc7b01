"""Django's Redis cache, keeping one client per connection pool, and failing soft when Redis cannot be reached.

`ReusingRedisCache`: Django's `RedisCacheClient.get_client` makes a new `redis.Redis` for every cache operation,
and each one rebuilds redis-py's table of about 170 response callbacks: about a third of the CPU of a page cache
hit (measured with cProfile on the WSGI hit path). A `redis.Redis` is safe to share between threads (each command
takes its own connection from the pool), so keeping it changes nothing but the cost.

`FailSoftRedisCache` (the production backend) adds what the site promises when Redis is down: every page is still
served, from the database. Everything in the site reads the default cache (Wagtail's site root paths, the site
memory, the page cache, comment tickets), and each of them already falls back to the database on a miss, so a
Redis connection error or timeout becomes a miss: a read returns its default, a write or delete is dropped, `add`
says it added nothing and `incr` finds no key. After a failure the backend stops asking for `PAUSE_SECONDS`, so a
dead or frozen Redis costs one timeout per process every pause, not one per cache call; the outage is logged once,
and its end once.

Code that must know whether a write arrived (a purge) wraps it in `strict()`: there an unreachable Redis raises
`CacheUnavailable` at once. When Redis answers again after an outage, the backend first runs the callbacks
registered with `on_recovery` (the page cache applies the purges it missed meanwhile) and only then the call that
found Redis back, so that call already reads a cache without the pages those purges remove.
"""

import contextlib
import contextvars
import logging
import threading
import time
from collections.abc import Callable

import redis.exceptions
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

# A refused connection, a reset, a connect or read timeout, a server still loading its data: all mean "not now".
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

_strict: contextvars.ContextVar[bool] = contextvars.ContextVar("pagecache_cache_strict", default=False)
_recovering: contextvars.ContextVar[bool] = contextvars.ContextVar("pagecache_cache_recovering", default=False)
_recovery_callbacks: list[Callable[[], None]] = []


class CacheUnavailable(Exception):
    """The shared cache could not be reached; raised only inside `strict()`."""


@contextlib.contextmanager
def strict():
    """Inside the block, an unreachable shared cache raises `CacheUnavailable` instead of acting as a miss.

    Other cache backends raise whatever they raise; this changes nothing for them.
    """
    token = _strict.set(True)
    try:
        yield
    finally:
        _strict.reset(token)


def on_recovery(callback: Callable[[], None]) -> None:
    """Call `callback()` whenever a fail-soft cache answers again after an outage, before anything else reads it.

    It runs inside `strict()`: if the cache fails again meanwhile it raises `CacheUnavailable`, and the outage
    goes on. Any other error is logged and ignored.
    """
    if callback not in _recovery_callbacks:
        _recovery_callbacks.append(callback)


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    """Use as the BACKEND of a Redis cache: `presscentre.pagecache.cache_backend.ReusingRedisCache`."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


class Health:
    """Whether one Redis location answers, shared by every thread of the process (Django makes a cache object per
    thread, and each would otherwise pay its own timeout to learn that Redis is down)."""

    def __init__(self, location: str):
        self.location = location
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0

    def paused(self, now: float) -> bool:
        return self.down_since is not None and now < self.retry_at

    def mark_down(self, error: Exception, *, pause: float) -> None:
        now = time.monotonic()
        with self.lock:
            first = self.down_since is None
            if first:
                self.down_since = now
            self.retry_at = now + pause
        if first:
            logger.error(
                "Redis at %s unreachable (%s): serving without the shared cache, from the database",
                self.location,
                error,
            )

    def mark_up(self) -> None:
        with self.lock:
            since, self.down_since = self.down_since, None
        if since is not None:
            logger.warning("Redis at %s answers again after %.1f s", self.location, time.monotonic() - since)


_health: dict[str, Health] = {}
_health_lock = threading.Lock()


def health_of(location: str) -> Health:
    with _health_lock:
        return _health.setdefault(location, Health(location))


def forget_health() -> None:
    """Forget every outage this process knows of (for tests that start and stop their own Redis)."""
    with _health_lock:
        _health.clear()


class FailSoftRedisCache(ReusingRedisCache):
    """Use as the BACKEND in production: `presscentre.pagecache.cache_backend.FailSoftRedisCache`.

    Set `socket_connect_timeout` and `socket_timeout` in OPTIONS (settings.py does, from REDIS_CONNECT_TIMEOUT and
    REDIS_TIMEOUT): without them a frozen Redis holds every request for as long as the kernel keeps the socket.
    """

    PAUSE_SECONDS = 2.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self.health = health_of(",".join(self._servers))

    @property
    def available(self) -> bool:
        """False while this process is pausing after a failure (it will ask Redis again after the pause)."""
        return not self.health.paused(time.monotonic())

    def _call(self, fallback, operation, *args):
        health = self.health
        if health.down_since is not None and not _recovering.get():
            if health.paused(time.monotonic()):
                return self._unreachable(fallback, None)
            try:
                self._recover()
            except CacheUnavailable as error:
                return self._unreachable(fallback, error)
        try:
            return operation(*args)
        except UNREACHABLE as error:
            health.mark_down(error, pause=self.PAUSE_SECONDS)
            return self._unreachable(fallback, error)

    def _recover(self) -> None:
        """After a pause: ask Redis whether it is back, then run the recovery callbacks before anything reads."""
        try:
            self._cache.get_client(write=True).ping()
        except UNREACHABLE as error:
            self.health.mark_down(error, pause=self.PAUSE_SECONDS)
            raise CacheUnavailable(str(error)) from error
        token, strict_token = _recovering.set(True), _strict.set(True)
        try:
            for callback in list(_recovery_callbacks):
                try:
                    callback()
                except CacheUnavailable:
                    raise
                except Exception:
                    logger.exception("A shared cache recovery step failed; it is retried from the task queue")
        finally:
            _recovering.reset(token)
            _strict.reset(strict_token)
        self.health.mark_up()

    def _unreachable(self, fallback, error):
        if _strict.get():
            raise CacheUnavailable(str(error or f"Redis at {self.health.location} is unreachable")) from error
        return fallback()

    # Each operation, with what it means when Redis cannot be reached (the `fallback`, called instead).

    def get(self, key, default=None, version=None):
        return self._call(lambda: default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._call(dict, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(lambda: False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(lambda: False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._call(lambda: None, super().delete_many, keys, version)

    def clear(self):
        return self._call(lambda: False, super().clear)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found.")  # as for a key that expired: the caller starts afresh

        return self._call(missing, super().incr, key, delta, version)
