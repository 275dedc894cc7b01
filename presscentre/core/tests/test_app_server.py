"""The app servers refuse to listen on a public address with no proxy in front (slow clients, issue 17 item 8):
the check itself, then gunicorn with deploy/gunicorn.conf.py and granian through deploy/run_granian.py, started
for real."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from presscentre.core.app_server import is_private, refusal_to_listen

REPO = Path(__file__).resolve().parents[3]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 - the case under test

# Variables a developer's shell may hold that would change what the servers do here.
_CLEARED = ("PRESSCENTRE_TRUSTED_PROXIES", "PRESSCENTRE_ALLOW_DIRECT_CLIENTS", "LISTEN_FDS", "LISTEN_PID")


@pytest.fixture(autouse=True)
def _no_proxy_settings(monkeypatch):
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)


# The check


@pytest.mark.parametrize(
    "listener", [("127.0.0.1", 8000), ("127.0.0.2", 8000), ("::1", 8000), ("localhost", 8000), "/run/pc.sock"]
)
def test_loopback_and_unix_sockets_are_private(listener):
    assert is_private(listener)


@pytest.mark.parametrize(
    "listener", [(EVERY_INTERFACE, 8000), ("", 8000), ("::", 8000), ("10.1.2.3", 8000), ("no-such-host.invalid", 8000)]
)
def test_wildcards_other_interfaces_and_unknown_names_are_public(listener):
    assert not is_private(listener)


def test_an_inherited_socket_is_judged_by_what_it_is_bound_to(tmp_path):
    with (
        socket.socket() as loopback,
        socket.socket() as wildcard,
        socket.socket(socket.AF_UNIX) as unix,
    ):
        loopback.bind(("127.0.0.1", 0))
        wildcard.bind((EVERY_INTERFACE, 0))  # noqa: S104 - the case under test
        unix.bind(str(tmp_path / "s.sock"))

        assert is_private(loopback.fileno())
        assert not is_private(wildcard.fileno())
        assert is_private(unix.fileno())
        wildcard.getsockname()  # the check left the server's own descriptor open


def test_a_public_address_is_refused_naming_it_and_the_ways_out():
    message = refusal_to_listen([("127.0.0.1", 8000), (EVERY_INTERFACE, 8001), ("::", 8002)])

    assert message.startswith("Press Centre will not listen on 0.0.0.0:8001, [::]:8002:")
    assert "nginx" in message
    assert "PRESSCENTRE_TRUSTED_PROXIES" in message
    assert "PRESSCENTRE_ALLOW_DIRECT_CLIENTS=true" in message


def test_private_addresses_need_no_setting():
    assert refusal_to_listen([("127.0.0.1", 8000), "/run/pc.sock"]) is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PRESSCENTRE_TRUSTED_PROXIES", "10.0.0.0/8"),
        ("PRESSCENTRE_TRUSTED_PROXIES", "127.0.0.1, 192.0.2.7"),
        ("PRESSCENTRE_ALLOW_DIRECT_CLIENTS", "true"),
    ],
)
def test_a_public_address_is_allowed_with_a_proxy_setting_or_the_operators_word(monkeypatch, name, value):
    monkeypatch.setenv(name, value)

    assert refusal_to_listen([(EVERY_INTERFACE, 8000)]) is None


def test_proxies_on_this_machine_alone_do_not_make_a_public_address_safe(monkeypatch):
    # nginx and Varnish on this machine reach the app on loopback: a public address only lets readers round them.
    monkeypatch.setenv("PRESSCENTRE_TRUSTED_PROXIES", "127.0.0.1,::1")

    assert refusal_to_listen([(EVERY_INTERFACE, 8000)]).startswith("Press Centre will not listen")


def test_a_malformed_proxy_list_is_refused_with_the_settings_own_message(monkeypatch):
    monkeypatch.setenv("PRESSCENTRE_TRUSTED_PROXIES", "the load balancer")

    assert refusal_to_listen([(EVERY_INTERFACE, 8000)]).startswith("PRESSCENTRE_TRUSTED_PROXIES must list IP")


def test_allowing_direct_clients_takes_only_true_or_false(monkeypatch):
    monkeypatch.setenv("PRESSCENTRE_ALLOW_DIRECT_CLIENTS", "false")
    assert refusal_to_listen([(EVERY_INTERFACE, 8000)]).startswith("Press Centre will not listen")

    monkeypatch.setenv("PRESSCENTRE_ALLOW_DIRECT_CLIENTS", "please")
    assert (
        refusal_to_listen([(EVERY_INTERFACE, 8000)])
        == "PRESSCENTRE_ALLOW_DIRECT_CLIENTS must be true or false, not 'please'."
    )


# The servers, started for real


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _CLEARED and not name.startswith(("GUNICORN_", "GRANIAN_"))
    }
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", GUNICORN_WORKERS="1", GUNICORN_ACCESS_LOG="")
    env.update(settings)
    return env


def gunicorn(port: int) -> list[str]:
    return [GUNICORN, "presscentre.wsgi", "-c", "deploy/gunicorn.conf.py", "-b", f"{EVERY_INTERFACE}:{port}"]


def granian(port: int) -> list[str]:
    return [
        sys.executable,
        "deploy/run_granian.py",
        "--interface",
        "wsgi",
        "presscentre.wsgi:application",
        "--host",
        EVERY_INTERFACE,
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
    ]


SERVERS = {"gunicorn": gunicorn, "granian": granian}


@pytest.mark.parametrize("server", SERVERS)
def test_server_bound_publicly_without_a_proxy_setting_stops_with_the_message(tmp_path, server):
    port = free_port()
    process = start(SERVERS[server](port), server_env(tmp_path), subprocess.PIPE)
    try:
        _, errors = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        stop(process)
        raise AssertionError(f"{server} started listening on {EVERY_INTERFACE}:{port}") from None

    assert process.returncode != 0
    assert f"Press Centre will not listen on 0.0.0.0:{port}:" in errors
    assert errors.count("Press Centre will not listen") == 1
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # it never listened


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize(
    "setting", [{"PRESSCENTRE_TRUSTED_PROXIES": "10.0.0.0/8"}, {"PRESSCENTRE_ALLOW_DIRECT_CLIENTS": "true"}]
)
def test_server_bound_publicly_with_a_proxy_setting_serves(tmp_path, server, setting):
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = start(SERVERS[server](port), server_env(tmp_path, **setting), output)
    try:
        status = first_answer(port, process, log)
        # Any HTTP answer will do (the health check finds no tables in this empty database): it is serving.
        assert 200 <= status < 600
    finally:
        stop(process)


def start(argv: list[str], env: dict[str, str], output) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - fixed argv
        argv, cwd=REPO, env=env, stdout=output, stderr=output, text=True, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    """Stop the server and its workers (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def first_answer(port: int, process: subprocess.Popen, log: Path) -> int:
    """The status of the first answer to GET /healthz, waiting up to 60 s for the server to come up."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/healthz", headers={"Host": "localhost"})
            return connection.getresponse().status
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise AssertionError(f"the server did not answer within 60 s:\n{log.read_text(errors='replace')}")
