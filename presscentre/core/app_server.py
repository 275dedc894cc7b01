"""The app servers (gunicorn, granian) listen to readers only through a proxy, unless the operator says otherwise.

A reader talking straight to gunicorn or granian holds a worker thread for as long as they take to send their
request or read the answer: about 40 connections sending a byte a second stalled both servers. nginx in front
reads each request whole before passing it on and feeds slow readers from its own buffers (docs/deploy.md). So
an app server about to listen on anything but loopback or a unix socket stops with one message, unless
PRESSCENTRE_TRUSTED_PROXIES names a proxy on another machine in front of it (loopback entries do not count: a
proxy on this machine reaches the app on loopback), or PRESSCENTRE_ALLOW_DIRECT_CLIENTS=true says the operator
accepts the risk. deploy/gunicorn.conf.py and deploy/run_granian.py ask here before they listen.

It reads the environment, not Django's settings: the servers' configuration asks before any app is loaded.
"""

import ipaddress
import os
import socket
from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured

from presscentre.core.client_address import checked_networks
from presscentre.core.env import env_flag, env_list

# What a server listens on: a unix socket's path, (host, port), or an inherited socket's file descriptor.
Listener = str | tuple[str, int] | int


def _host_is_loopback(host: str, port: int) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    if not host:
        return False  # the wildcard: every interface
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return False  # the server will fail to bind anyway; do not let an unknown name through
    return bool(found) and all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in found)


def _fd_is_private(fd: int) -> bool:
    # A duplicate, so that closing our socket object leaves the server's descriptor open.
    with socket.socket(fileno=os.dup(fd)) as inherited:
        if inherited.family == socket.AF_UNIX:
            return True
        host, port = inherited.getsockname()[:2]
    return _host_is_loopback(host, port)


def is_private(listener: Listener) -> bool:
    """Whether only this machine can reach `listener`: a unix socket, or an address on loopback."""
    if isinstance(listener, int):
        return _fd_is_private(listener)
    if isinstance(listener, str | os.PathLike):
        return True
    host, port = listener
    return _host_is_loopback(host, port)


def describe(listener: Listener) -> str:
    if isinstance(listener, int):
        return f"file descriptor {listener}"
    if isinstance(listener, str | os.PathLike):
        return f"unix:{listener}"
    host, port = listener
    return f"[{host}]:{port}" if ":" in host else f"{host or '0.0.0.0'}:{port}"  # noqa: S104 - naming it


def refusal_to_listen(listeners: Iterable[Listener]) -> str | None:
    """The message an app server stops with instead of listening on `listeners`; None when it may listen."""
    public = [describe(listener) for listener in listeners if not is_private(listener)]
    if not public:
        return None
    try:
        proxies = checked_networks(
            env_list("PRESSCENTRE_TRUSTED_PROXIES", default=[]), name="PRESSCENTRE_TRUSTED_PROXIES"
        )
        if any(not ipaddress.ip_network(proxy, strict=False).is_loopback for proxy in proxies):
            return None
        if env_flag("PRESSCENTRE_ALLOW_DIRECT_CLIENTS", default=False):
            return None
    except ImproperlyConfigured as error:
        return str(error)
    return (
        f"Press Centre will not listen on {', '.join(public)}: readers could reach the app server directly, and a "
        "few dozen slow clients (a byte a second each) hold every worker. Put nginx in front (docs/deploy.md) and "
        "listen on 127.0.0.1 or a unix socket. If a proxy on another machine stands in front of this address, list "
        "its network in PRESSCENTRE_TRUSTED_PROXIES; to accept the risk anyway, set "
        "PRESSCENTRE_ALLOW_DIRECT_CLIENTS=true."
    )
