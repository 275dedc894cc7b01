"""gunicorn settings for Press Centre, read from the environment so one file serves every machine.

    gunicorn presscentre.wsgi -c deploy/gunicorn.conf.py

GUNICORN_BIND          address to listen on (default 127.0.0.1:8000; a unix socket as unix:/run/presscentre.sock)
                       Anything but loopback or a unix socket is refused unless PRESSCENTRE_TRUSTED_PROXIES names
                       a proxy on another machine, or PRESSCENTRE_ALLOW_DIRECT_CLIENTS=true: nginx stands in front
                       (docs/deploy.md)
GUNICORN_WORKERS       worker processes (default: one per core plus one)
GUNICORN_THREADS       threads per worker (default 4: requests waiting on PostgreSQL or Redis overlap)
GUNICORN_TIMEOUT       seconds before a stuck worker is restarted (default 30)
GUNICORN_MAX_REQUESTS  recycle a worker after this many requests, with jitter (default 5000; 0 never)
GUNICORN_ACCESS_LOG    "-" for standard output (the default), a file path, or empty for none
GUNICORN_FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-* headers are trusted (default 127.0.0.1,::1)
"""

import multiprocessing
import os
import sys
from pathlib import Path

from gunicorn import systemd
from gunicorn.glogging import Logger

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from presscentre.core.app_server import refusal_to_listen  # noqa: E402
from presscentre.core.log_filters import mask_journalist_tokens  # noqa: E402


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}.") from None


bind = [os.environ.get("GUNICORN_BIND", "").strip() or "127.0.0.1:8000"]
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 4)
# gthread keeps a slow client from holding a whole worker; with threads=1 gunicorn uses it anyway.
worker_class = "gthread"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = timeout
keepalive = 5
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-").strip() or None
errorlog = "-"
# The URL, status and timing: no client address, user agent or referrer (personal data, and not needed here).
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms'


class TokenMaskingLogger(Logger):
    """gunicorn's logger, with journalists' tokens masked in the access and error logs: the request line of a
    personal link (/embargoed/<token>/...) is a key to an embargoed item."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.access_log.addFilter(mask_journalist_tokens)
        self.error_log.addFilter(mask_journalist_tokens)


logger_class = TokenMaskingLogger


def on_starting(server) -> None:
    """Stop before listening on a public address with no proxy in front (presscentre.core.app_server).

    Here rather than on `bind` above: a `-b` on the command line or in GUNICORN_CMD_ARGS has been applied by now.
    """
    inherited = systemd.listen_fds(unset_environment=False)
    if inherited:  # systemd socket activation: the sockets systemd opened, whatever `bind` says
        listeners = list(range(systemd.SD_LISTEN_FDS_START, systemd.SD_LISTEN_FDS_START + inherited))
    else:
        listeners = server.cfg.address
    message = refusal_to_listen(listeners)
    if message:
        raise SystemExit(message)  # printed once, on standard error (the journal); exit status 1


forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "").strip() or "127.0.0.1,::1"
# Workers fork from a loaded app: less memory per worker and a broken deploy fails before taking traffic.
preload_app = True
