"""Load: requests per second for the item page, the index, a category archive, /feed/ and a search, on the
100,000-item archive, each cold, warm through the app's own cache and warm through Varnish, against the same
HTML served as a static file by nginx (the ceiling), all in one run.

    .venv/bin/python bench/load.py                        # the full run: 15 s per row, about 6 minutes
    .venv/bin/python bench/load.py --duration 3 --items 2000 --comments 4000    # a quick look while developing

Duration flags: --duration (seconds of wrk per row, default 15) and --warmup (seconds of unmeasured load before
each row, default 2). Other flags: --connections (default 32), --wrk-threads (default 2), --server (granian, the
default: faster than gunicorn here on every app row, or gunicorn), --workers (default 2 for granian, 3 for gunicorn),
--threads (gunicorn, default 4), --blocking-threads (granian, default 4), --only (a comma-separated subset of
item,index,category,feed,search).

Needs PostgreSQL (127.0.0.1:5432), Redis (127.0.0.1:6379, database 10 is emptied), varnishd, nginx and wrk
(Debian packages). Runs bench/generate.py first (which does nothing when the archive exists). Writes the table
with the machine and versions to docs/performance.md (between its bench markers) and bench/results/load.md, and
exits 1 when a target is missed. Servers listen on 127.0.0.1:8650-8653 only.
"""

import argparse
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PERFORMANCE_DOC = REPO / "docs" / "performance.md"
RESULTS_FILE = REPO / "bench" / "results" / "load.md"
VCL = REPO / "deploy" / "varnish" / "presscentre.vcl"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/10"
COLD_PORT, WARM_PORT, VARNISH_PORT, NGINX_PORT = 8650, 8651, 8652, 8653
BEGIN, END = "<!-- bench/load.py: begin -->", "<!-- bench/load.py: end -->"

# Targets from the issue: req/s floors per (page, mode), the Varnish share of the ceiling, worker memory.
COLD_TARGETS = {"item": 300, "index": 200, "category": 200, "search": 100}
WARM_APP_TARGETS = {"item": 5000, "index": 5000}
VARNISH_SHARE_TARGETS = {"item": 0.7, "index": 0.7}
WORKER_RSS_LIMIT_MB = 250


def out(line: str = "") -> None:
    print(line, flush=True)


# -- processes ----------------------------------------------------------------------------------------------


class Stack:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        with (self.folder / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - fixed argv
                argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes[name] = process
        return process

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def tail(self, name: str, lines: int = 20) -> str:
        path = self.folder / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def wait_for(stack: Stack, name: str, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stack.processes[name].poll() is not None:
            raise RuntimeError(f"{name} exited:\n{stack.tail(name)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback server
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer {url} within {timeout:.0f} s:\n{stack.tail(name)}")


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own loopback server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def rss_of_workers(master_pid: int) -> list[float]:
    """Resident memory (MB) of each app server worker: the master's children."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        kilobytes = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        sizes.append(kilobytes / 1024)
    return sizes


# -- wrk ------------------------------------------------------------------------------------------------------


@dataclass
class Row:
    page: str
    mode: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    ceiling: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.requests_per_second / self.ceiling if self.ceiling else None


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, *, duration: int, connections: int, threads: int) -> tuple[float, float, float, int]:
    result = subprocess.run(  # noqa: S603 - fixed argv
        [
            shutil.which("wrk") or "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "10s",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    text = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = _milliseconds(re.search(r"^\s+50%\s+(\S+)", text, re.MULTILINE).group(1))
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", text, re.MULTILINE).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    return rps, p50, p99, errors + (int(non_2xx.group(1)) if non_2xx else 0)


def measure(page: str, mode: str, url: str, args) -> Row:
    status, _ = fetch(url)
    if status != 200:
        raise RuntimeError(f"{url} answered {status}, not 200: nothing to measure")
    if args.warmup:
        run_wrk(url, duration=args.warmup, connections=args.connections, threads=args.wrk_threads)
    rps, p50, p99, errors = run_wrk(url, duration=args.duration, connections=args.connections, threads=args.wrk_threads)
    out(f"  {page:<9} {mode:<22} {rps:>10.0f} req/s  p50 {p50:>7.2f} ms  p99 {p99:>8.2f} ms  errors {errors}")
    return Row(page, mode, rps, p50, p99, errors)


# -- setup ----------------------------------------------------------------------------------------------------


def vacuum(database: str) -> None:
    """VACUUM ANALYZE the archive, as autovacuum would have on a settled production database.

    A freshly generated table has no visibility map, so PostgreSQL cannot answer counts from an index alone
    (the listing's comment counts read every comment row instead); quick when nothing changed since the last.
    """
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{database}", autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def pick_paths(database: str) -> dict[str, str]:
    """A public press release in the middle of the archive, a busy category, the feed and a common word."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{database}") as connection:
        (slug,) = connection.execute(
            "SELECT p.slug FROM wagtailcore_page p JOIN newsroom_pressreleasepage r ON r.newsitempage_ptr_id = p.id "
            "JOIN newsroom_newsitempage n ON n.page_ptr_id = p.id WHERE n.embargo_until IS NULL "
            "ORDER BY p.id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM newsroom_pressreleasepage)"
        ).fetchone()
        (category,) = connection.execute(
            "SELECT c.slug FROM newsroom_category c JOIN newsroom_itemcategory l ON l.category_id = c.id "
            "GROUP BY c.slug ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    return {
        "item": f"/{slug}/",
        "index": "/",
        "category": f"/category/{category}/",
        "feed": "/feed/",
        "search": "/search/?q=economy+budget",
    }


def app_env(args, folder: Path, database: str, *, page_cache: bool, threads: int) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "DATABASE_URL": f"{PG_SERVER}/{database}",
        "DATABASE_CONN_MAX_AGE": "600",
        "REDIS_URL": REDIS_URL,
        "PRESSCENTRE_PAGE_CACHE": "true" if page_cache else "false",
        "PRESSCENTRE_VARNISH_URL": f"http://127.0.0.1:{VARNISH_PORT}",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_MAX_REQUESTS": "0",  # memory after the run must show growth, not a recycled worker
    }


def start_app(stack: Stack, name: str, port: int, env: dict[str, str], args, *, threads: int) -> subprocess.Popen:
    """The app server under test: gunicorn with the repository's config, or granian's WSGI interface."""
    if args.server == "granian":
        argv = [str(Path(sys.executable).with_name("granian")), "--interface", "wsgi", "presscentre.wsgi:application"]
        argv += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)]
        argv += ["--blocking-threads", str(threads), "--no-access-log", "--log-level", "warning"]
    else:
        argv = [sys.executable, "-m", "gunicorn", "presscentre.wsgi", "-c", "deploy/gunicorn.conf.py"]
        argv += ["--bind", f"127.0.0.1:{port}"]
    process = stack.start(name, argv, env=env)
    wait_for(stack, name, f"http://127.0.0.1:{port}/healthz")
    return process


def production_varnish_parameters() -> list[str]:
    """The `-p name=value` tuning of deploy/systemd/varnish.service.d/presscentre.conf, so the bench runs what
    a deployment runs (the paths and the jail there are the deployment's own)."""
    unit = (REPO / "deploy/systemd/varnish.service.d/presscentre.conf").read_text()
    tuning = re.findall(r"-p ((?!vcl_path=)\S+=\S+)", unit)
    return [part for pair in tuning for part in ("-p", pair)]


def start_varnish(stack: Stack, folder: Path) -> None:
    (folder / "backends.vcl").write_text(
        f'backend app1 {{ .host = "127.0.0.1"; .port = "{WARM_PORT}"; }}\n'
        'acl purgers { "127.0.0.1"; }\n'
        "sub vcl_init {\n    new app = directors.round_robin();\n    app.add_backend(app1);\n}\n"
    )
    varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
    argv = [varnishd, "-F", "-j", "none", "-a", f"127.0.0.1:{VARNISH_PORT}", "-f", str(VCL)]
    argv += ["-p", f"vcl_path={folder}", "-n", str(folder / "varnish"), "-s", "malloc,256m"]
    argv += production_varnish_parameters()
    stack.start("varnish", argv)
    wait_for(stack, "varnish", f"http://127.0.0.1:{VARNISH_PORT}/healthz")


def start_nginx(stack: Stack, folder: Path) -> None:
    root = folder / "static-pages"
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""worker_processes auto;
{"user root;" if os.geteuid() == 0 else ""}
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    default_type text/html;
    client_body_temp_path {folder}/nginx-body;
    proxy_temp_path {folder}/nginx-proxy;
    fastcgi_temp_path {folder}/nginx-fastcgi;
    uwsgi_temp_path {folder}/nginx-uwsgi;
    scgi_temp_path {folder}/nginx-scgi;
    server {{
        listen 127.0.0.1:{NGINX_PORT};
        root {root};
    }}
}}
"""
    )
    stack.start("nginx", ["nginx", "-p", str(folder), "-c", str(conf), "-g", "daemon off;"])
    wait_for(stack, "nginx", f"http://127.0.0.1:{NGINX_PORT}/item.html")


# -- report ---------------------------------------------------------------------------------------------------


def _version(argv: list[str], pattern: str = r"(\d+\.\d+(?:\.\d+)?)") -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=10)  # noqa: S603
    except OSError:
        return "not found"
    match = re.search(pattern, result.stdout + result.stderr)
    return match.group(1) if match else "unknown"


def machine() -> dict[str, str]:
    import django
    import wagtail

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown",
    )
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return {
        "cores (nproc)": str(os.cpu_count()),
        "CPU": cpu,
        "RAM": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "OS": platform.platform(terse=True),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "Wagtail": wagtail.__version__,
        "PostgreSQL": _version(["psql", PG_SERVER + "/postgres", "-Atc", "SHOW server_version"]),
        "Redis": _version(["redis-server", "--version"], r"v=(\S+)"),
        "Varnish": _version([shutil.which("varnishd") or "/usr/sbin/varnishd", "-V"], r"varnish-(\S+)"),
        "nginx": _version(["nginx", "-v"], r"nginx/(\S+)"),
        "wrk": _version(["wrk", "--version"], r"wrk (\S+)"),
        "gunicorn": _version([sys.executable, "-m", "gunicorn", "--version"], r"gunicorn.*?(\d+\.\d+\.\d+)"),
        "granian": _version([str(Path(sys.executable).with_name("granian")), "--version"]),
    }


def targets_missed(rows: list[Row], rss: dict[str, list[float]]) -> list[str]:
    by_key = {(row.page, row.mode): row for row in rows}
    missed = []
    for page, floor in COLD_TARGETS.items():
        row = by_key.get((page, "cold"))
        if row and row.requests_per_second < floor:
            missed.append(f"cold {page}: {row.requests_per_second:.0f} req/s, target {floor}")
    for page, floor in WARM_APP_TARGETS.items():
        row = by_key.get((page, "warm, app cache"))
        if row and row.requests_per_second < floor:
            missed.append(f"warm app {page}: {row.requests_per_second:.0f} req/s, target {floor}")
    for page, share in VARNISH_SHARE_TARGETS.items():
        row = by_key.get((page, "warm, Varnish"))
        if row and row.ratio is not None and row.ratio < share:
            missed.append(f"Varnish {page}: {row.ratio:.0%} of the ceiling, target {share:.0%}")
    missed += [f"{row.page} {row.mode}: {row.errors} errors" for row in rows if row.errors]
    for server, sizes in rss.items():
        missed += [f"{server} worker at {size:.0f} MB" for size in sizes if size > WORKER_RSS_LIMIT_MB]
    return missed


def server_label(args) -> str:
    if args.server == "granian":
        threads = f"{args.cold_threads} blocking thread(s) for the cold rows, {args.blocking_threads} for the warm ones"
    else:
        threads = f"{args.cold_threads} thread(s) for the cold rows, {args.threads} for the warm ones"
    return f"{'granian (WSGI)' if args.server == 'granian' else 'gunicorn'} {args.workers} workers x {threads}"


def report(rows: list[Row], rss: dict[str, list[float]], args, paths: dict[str, str], missed: list[str]) -> str:
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/load.py` on {args.items:,} items and "
        f"{args.comments:,} comments: wrk with {args.connections} connections and {args.wrk_threads} threads, "
        f"{args.duration} s per row after {args.warmup} s of warm-up, {server_label(args)}, "
        "DEBUG off, PostgreSQL and Redis. Everything, wrk included, shares the machine.",
        "",
        "| page | mode | req/s | p50 | p99 | errors | share of ceiling |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        ratio = f"{row.ratio:.0%}" if row.ratio is not None else ""
        lines.append(
            f"| {row.page} (`{paths[row.page]}`) | {row.mode} | {row.requests_per_second:,.0f} | "
            f"{row.p50_ms:.2f} ms | {row.p99_ms:.2f} ms | {row.errors} | {ratio} |"
        )
    lines += ["", "Each page's ceiling is its own HTML, saved once and served as a static file by nginx.", ""]
    lines += [f"Resident memory of each {args.server} worker after its rows:", ""]
    lines += [f"- {server}: " + ", ".join(f"{size:.0f} MB" for size in sizes) for server, sizes in rss.items()]
    lines += ["", "Machine and versions:", "", "| | |", "| --- | --- |"]
    lines += [f"| {name} | {value} |" for name, value in machine().items()]
    lines += ["", "Targets: " + ("all met." if not missed else "missed: " + "; ".join(missed) + ".")]
    return "\n".join(lines) + "\n"


def write_report(text: str) -> None:
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text("# Load benchmark (bench/load.py)\n\n" + text)
    block = f"{BEGIN}\n{text}{END}"
    if PERFORMANCE_DOC.exists() and BEGIN in PERFORMANCE_DOC.read_text():
        current = PERFORMANCE_DOC.read_text()
        start, end = current.index(BEGIN), current.index(END) + len(END)
        PERFORMANCE_DOC.write_text(current[:start] + block + current[end:])
    else:
        PERFORMANCE_DOC.parent.mkdir(parents=True, exist_ok=True)
        PERFORMANCE_DOC.write_text("# Performance\n\n" + block + "\n")


# -- main -----------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=15, help="seconds of measured load per row (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load before each row (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, help="app server workers (default: granian 2, gunicorn 3)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--server", choices=("granian", "gunicorn"), default="granian", help="the app server")
    parser.add_argument("--blocking-threads", type=int, default=4, help="granian threads per worker (default 4)")
    parser.add_argument(
        "--cold-threads",
        type=int,
        default=1,
        help="threads per worker of the cold server (default 1: a miss is CPU-bound, see docs/performance.md)",
    )
    parser.add_argument("--items", type=int, default=100_000, help="archive size passed to generate.py")
    parser.add_argument("--comments", type=int, default=200_000, help="comments passed to generate.py")
    parser.add_argument("--database", default="presscentre_bench_archive", help="the generated archive's database")
    parser.add_argument("--only", default="", help="comma-separated pages: item,index,category,feed,search")
    parser.add_argument("--no-write", action="store_true", help="print the table without writing the docs")
    args = parser.parse_args()
    if args.workers is None:
        args.workers = 2 if args.server == "granian" else 3
    for tool in ("wrk", "nginx", "redis-server"):
        if not shutil.which(tool):
            parser.error(f"{tool} is not installed (Debian package {tool if tool != 'redis-server' else 'redis'})")
    if not (shutil.which("varnishd") or Path("/usr/sbin/varnishd").exists()):
        parser.error("varnishd is not installed (Debian package varnish)")

    generate = [sys.executable, str(REPO / "bench" / "generate.py"), "--items", str(args.items)]
    subprocess.run([*generate, "--comments", str(args.comments), "--database", args.database], check=True)  # noqa: S603
    sys.path.insert(0, str(REPO))
    vacuum(args.database)
    paths = pick_paths(args.database)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        if unknown := wanted - set(paths):
            parser.error(f"--only: unknown pages {sorted(unknown)}")
        paths = {name: path for name, path in paths.items() if name in wanted}

    import redis

    folder = Path(tempfile.mkdtemp(prefix="presscentre-load-"))
    stack = Stack(folder)
    cache = redis.Redis.from_url(REDIS_URL)
    rows: list[Row] = []
    rss: dict[str, list[float]] = {}
    try:
        cache.flushdb()
        cold_env = app_env(args, folder, args.database, page_cache=False, threads=args.cold_threads)
        subprocess.run(  # noqa: S603 - fixed argv
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=REPO, env=cold_env, check=True
        )

        out(f"cold: {args.server} with the page cache off")
        cold = start_app(stack, "cold", COLD_PORT, cold_env, args, threads=args.cold_threads)
        pages_dir = folder / "static-pages"
        pages_dir.mkdir()
        for page, path in paths.items():
            status, body = fetch(f"http://127.0.0.1:{COLD_PORT}{path}")
            (pages_dir / f"{page}.html").write_bytes(body)
            rows.append(measure(page, "cold", f"http://127.0.0.1:{COLD_PORT}{path}", args))
        rss["cold server"] = rss_of_workers(cold.pid)
        stack.stop("cold")

        out(f"warm: {args.server} with the page cache in Redis, then Varnish in front of it")
        warm_threads = args.blocking_threads if args.server == "granian" else args.threads
        warm_env = app_env(args, folder, args.database, page_cache=True, threads=warm_threads)
        warm = start_app(stack, "warm", WARM_PORT, warm_env, args, threads=warm_threads)
        for page, path in paths.items():
            rows.append(measure(page, "warm, app cache", f"http://127.0.0.1:{WARM_PORT}{path}", args))
        start_varnish(stack, folder)
        for page, path in paths.items():
            rows.append(measure(page, "warm, Varnish", f"http://127.0.0.1:{VARNISH_PORT}{path}", args))
        rss["warm server"] = rss_of_workers(warm.pid)

        out("ceiling: the same HTML as static files from nginx")
        start_nginx(stack, folder)
        ceilings = {}
        for page in paths:
            row = measure(page, "static file (nginx)", f"http://127.0.0.1:{NGINX_PORT}/{page}.html", args)
            ceilings[page] = row.requests_per_second
            rows.append(row)
    finally:
        stack.stop_all()
        cache.flushdb()
        shutil.rmtree(folder, ignore_errors=True)

    for row in rows:
        row.ceiling = ceilings.get(row.page)
    order = {"cold": 0, "warm, app cache": 1, "warm, Varnish": 2, "static file (nginx)": 3}
    rows.sort(key=lambda row: (list(paths).index(row.page), order[row.mode]))
    missed = targets_missed(rows, rss)
    text = report(rows, rss, args, paths, missed)
    out()
    out(text)
    if not args.no_write:
        write_report(text)
        out(f"written to {PERFORMANCE_DOC.relative_to(REPO)} and {RESULTS_FILE.relative_to(REPO)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
