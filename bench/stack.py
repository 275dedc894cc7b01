"""The production-like stack the benchmarks start on loopback: processes, a scratch database, Varnish, plain HTTP,
and the guarded run that always tears them down.

Each child process runs in its own process group, so stopping it stops whatever it started; logs go to files in
one folder. Nothing here knows about a particular benchmark: each names its own database, Redis database and
ports, so that two runs (or a test suite using Varnish) never share anything.
"""

import argparse
import http.client
import logging
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
VCL = REPO / "deploy" / "varnish" / "presscentre.vcl"
STOP_GRACE = 5.0  # seconds a process gets between SIGTERM and SIGKILL


def out(line: str = "") -> None:
    print(line, flush=True)


# -- processes ------------------------------------------------------------------------------------------------


class Stack:
    """The child processes of one run, each in its own process group so that stopping one stops its children."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        with (self.log_dir / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - fixed argv built from sys.executable or varnishd's path
                argv, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        self.processes[name] = process
        return process

    def run(self, commands: dict[str, list[str]], *, timeout: float) -> None:
        """Run one-off commands side by side and wait for all of them; any failure stops the benchmark."""
        started = {name: self.start(name, argv) for name, argv in commands.items()}
        deadline = time.monotonic() + timeout
        for name, process in started.items():
            try:
                code = process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"{name} did not finish within {timeout:.0f} s; see {self.log_dir}") from None
            del self.processes[name]
            if code != 0:
                raise RuntimeError(f"{name} exited with {code}:\n{self.tail(name)}")

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited early with {process.returncode}:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 15) -> str:
        path = self.log_dir / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(f"  {line}" for line in text.splitlines()[-lines:])

    def stop_all(self) -> None:
        for process in self.processes.values():
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=STOP_GRACE)
        self.processes.clear()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signum)  # the group id is the pid: start_new_session=True
    except ProcessLookupError:
        pass


def manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stack_environment(database: str, tmp: Path, **settings: str) -> None:
    """The production-like settings every process of the run reads (this one too, once Django is set up)."""
    os.environ.update(
        DATABASE_URL=f"{PG_SERVER}/{database}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback; production redirects to HTTPS
        MEDIA_ROOT=str(tmp / "media"),
        DJANGO_SETTINGS_MODULE="presscentre.settings",
        PYTHONUNBUFFERED="1",
        **settings,
    )


def prepare_database(stack: Stack, database: str, *, timeout: float) -> None:
    """A fresh `database`, migrated, with the static files collected; then Django in this process."""
    out(f"Creating database {database}, migrating and collecting static files (logs in {stack.log_dir}) ...")
    recreate_database(database)
    # With DEBUG off the pages use WhiteNoise's manifest storage, so static files must be collected first.
    stack.run(
        {"migrate": manage("migrate", "--no-input"), "collectstatic": manage("collectstatic", "--no-input")},
        timeout=timeout,
    )
    setup_django()


def start_app(stack: Stack, port: int, gunicorn_options: list[str]) -> None:
    """The app as the Procfile runs it: gunicorn on `port`, the django-tasks worker and the embargo sweep."""
    stack.start(
        "web",
        [
            sys.executable, "-m", "gunicorn", "presscentre.wsgi", *gunicorn_options,
            "--bind", f"127.0.0.1:{port}",
            # gunicorn's default control socket is one path per user: keep ours apart from any other instance.
            "--control-socket", str(stack.log_dir / "gunicorn.ctl"),
        ],
    )  # fmt: skip
    stack.start("worker", manage("run_worker", "--interval", "1"))
    stack.start("sweep", manage("lift_due_embargoes", "--every", "1"))


def setup_django() -> None:
    """Django in this process, with whatever environment the stack's processes got."""
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presscentre.settings")
    import django

    django.setup()
    # Wagtail logs every page it creates and publishes; the children's logs keep the detail.
    logging.getLogger().setLevel(logging.WARNING)


def machine_description(*, varnish: bool = False) -> str:
    """The machine and the versions behind a run's figures, for its results file; Django must be set up."""
    import django
    import gunicorn
    import wagtail
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    description = (
        f"{os.cpu_count()} cores, {platform.system()} {platform.release()} {platform.machine()}; "
        f"Python {platform.python_version()}, Django {django.get_version()}, Wagtail {wagtail.__version__}, "
        f"gunicorn {gunicorn.__version__}, PostgreSQL {postgres}"
    )
    if varnish:
        version = subprocess.run(  # noqa: S603 - fixed argv
            [shutil.which("varnishd") or "/usr/sbin/varnishd", "-V"], capture_output=True, text=True, check=False
        ).stderr.splitlines()
        description += f", {version[0] if version else 'varnishd'}"
    return description


def press_centre_site(title: str, slug: str, *, port: int, site_name: str):
    """A published press centre as the default site's root, served at 127.0.0.1:`port`; the page and the site."""
    from wagtail.models import Page, Site

    from presscentre.newsroom.models import PressCentrePage

    index = Page.get_first_root_node().add_child(instance=PressCentrePage(title=title, slug=slug))
    index.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port, site.root_page, site.site_name = "127.0.0.1", port, index, site_name
    site.save()
    Site.clear_site_root_paths_cache()
    return index, site


# -- database ---------------------------------------------------------------------------------------------------


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# -- requests ---------------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int  # 0 when no connection could be made or the answer never came
    headers: dict[str, str]
    text: str


def get(port: int, path: str, *, timeout: float = 5.0) -> Response:
    """One GET on a fresh connection, without cookies, like a reader arriving."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Connection": "close", "User-Agent": "presscentre-bench"})
        response = connection.getresponse()
        body = response.read()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Response(response.status, headers, body.decode("utf-8", errors="replace"))
    except OSError:
        return Response(0, {}, "")
    finally:
        connection.close()


def wait_for_health(stack: Stack, port: int, *, timeout: float = 30.0, log: str | None = None) -> None:
    """Wait for /healthz to answer 200; on failure, the last lines of the process `log` names, if any."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_alive()
        if get(port, "/healthz", timeout=1.0).status == 200:
            return
        time.sleep(0.2)
    tail = f":\n{stack.tail(log)}" if log else ""
    raise RuntimeError(f"/healthz on port {port} did not answer 200 within {timeout:.0f} s{tail}")


# -- Varnish ----------------------------------------------------------------------------------------------------


def varnishd_path() -> str:
    found = shutil.which("varnishd") or ("/usr/sbin/varnishd" if Path("/usr/sbin/varnishd").exists() else None)
    if found is None:
        raise RuntimeError("varnishd is not installed (Debian's varnish package)")
    return found


def start_varnish(stack: Stack, folder: Path, *, port: int, app_ports: list[int]) -> Path:
    """varnishd with the deployment's VCL and a backends.vcl naming the app servers; returns its working folder.

    Only 127.0.0.1 may purge, as in the deployment's own backends.vcl.
    """
    vcl_folder = folder / "vcl"
    vcl_folder.mkdir(exist_ok=True)
    (vcl_folder / "backends.vcl").write_text(
        "\n".join(f'backend app{n} {{ .host = "127.0.0.1"; .port = "{p}"; }}' for n, p in enumerate(app_ports))
        + '\nacl purgers { "127.0.0.1"; }\n'
        + "sub vcl_init {\n    new app = directors.round_robin();\n"
        + "".join(f"    app.add_backend(app{n});\n" for n in range(len(app_ports)))
        + "}\n"
    )
    workdir = folder / "varnish"
    stack.start(
        "varnish",
        [
            varnishd_path(), "-F", "-j", "none",
            "-a", f"127.0.0.1:{port}",
            "-f", str(VCL),
            "-p", f"vcl_path={vcl_folder}",
            "-n", str(workdir),
            "-s", "malloc,64m",
        ],
    )  # fmt: skip
    return workdir


def varnish_counters(workdir: Path, names: list[str]) -> dict[str, int]:
    """Counters from `varnishstat -1` (e.g. MAIN.cache_hit), read from the running varnishd's shared memory."""
    argv = [shutil.which("varnishstat") or "/usr/bin/varnishstat", "-1", "-n", str(workdir)]
    for name in names:
        argv += ["-f", name]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"varnishstat failed: {result.stderr.strip()}")
    counters = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in names:
            counters[parts[0]] = int(parts[1])
    missing = set(names) - set(counters)
    if missing:
        raise RuntimeError(f"varnishstat did not report {', '.join(sorted(missing))}")
    return counters


# -- the run ----------------------------------------------------------------------------------------------------


class RunTimeout(Exception):
    pass


def run_guarded(
    benchmark: Callable[[argparse.Namespace, Stack, Path], bool],
    args: argparse.Namespace,
    *,
    database: str,
    run_limit: int,
    tmp_prefix: str,
    forget: Callable[[], None] = lambda: None,
) -> int:
    """Run `benchmark(args, stack, tmp)` within `run_limit` seconds and always tear down; 0 when it passed, else 1.

    Teardown stops the stack's processes, calls `forget` (the benchmark's own Redis and cache state), closes
    Django's connections, drops `database` and removes the temporary folder unless the run failed or
    `args.keep_logs` is set.
    """

    def stop(signum, frame):
        raise RunTimeout(f"the run took longer than {run_limit} s") if signum == signal.SIGALRM else KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGALRM, stop)
    signal.alarm(run_limit)

    tmp = Path(tempfile.mkdtemp(prefix=tmp_prefix))
    stack = Stack(tmp)
    passed = False
    try:
        passed = benchmark(args, stack, tmp)
    except KeyboardInterrupt:
        out("Interrupted.")
    except (RuntimeError, RunTimeout, OSError) as error:
        out(f"Benchmark failed: {error}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # tearing down: one Ctrl-C must not leave a half-dropped run
        stack.stop_all()
        try:
            forget()
        except Exception:  # noqa: BLE001, S110 - Redis may be what failed; the database must still be dropped
            pass
        close_django_connections()
        drop_database(database)
        if passed and not args.keep_logs:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            out(f"Process logs kept in {tmp}")
    return 0 if passed else 1


def django_ready() -> bool:
    """Whether Django got as far as being set up in this process (a run can fail before it does)."""
    if "django.db" not in sys.modules:
        return False
    from django.apps import apps

    return apps.ready


def close_django_connections() -> None:
    if django_ready():
        from django.db import connections

        connections.close_all()
