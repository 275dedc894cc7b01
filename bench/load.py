"""Load: requests per second for the item page, the index, a category archive, /feed/ and a search, on the
500,000-item archive, each cold, warm through the app's own cache and warm through Varnish, against the same
HTML served as a static file by nginx (the ceiling); the sitemap index, a full sitemap page and far listing pages
cold, also timed as single requests from an empty cache; and a stock Wagtail 8 site's detail page and listing
cold on the same app server, with the two ratios of ours to theirs: all in one run.

    .venv/bin/python bench/load.py                        # the full run: 15 s per row, about 10 minutes
    .venv/bin/python bench/load.py --items 100000         # the same on the 100,000-item archive
    .venv/bin/python bench/load.py --duration 3 --warmup 1 --items 2000 --no-write   # a quick look while developing

Duration flags: --duration (seconds of wrk per row, default 15) and --warmup (seconds of unmeasured load before
each row, default 2). Other flags: --connections (default 32), --wrk-threads (default 2), --server (granian, the
default: faster than gunicorn here on every app row, or gunicorn), --workers (default 2 for granian, 3 for gunicorn),
--threads (gunicorn, default 4), --blocking-threads (granian, default 4), --only (a comma-separated subset of
PAGES, below).

Needs PostgreSQL (127.0.0.1:5432), Redis (127.0.0.1:6379, database 10 is emptied), varnishd, nginx and wrk
(Debian packages). Runs bench/generate.py first (which does nothing when the archive exists; eleven minutes the
first time for 500,000 items) and sets up the stock Wagtail site of bench/bare_wagtail/ in its own database
(a minute the first time). Writes the table with the machine and versions to docs/performance.md (between its
bench markers) and bench/results/load.md, and exits 1 when a target is missed. Servers listen on
127.0.0.1:8650-8654 only.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import database_for, default_comments  # noqa: E402 - the bench's own folder

REPO = Path(__file__).resolve().parent.parent
PERFORMANCE_DOC = REPO / "docs" / "performance.md"
RESULTS_FILE = REPO / "bench" / "results" / "load.md"
VCL = REPO / "deploy" / "varnish" / "presscentre.vcl"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/10"
COLD_PORT, WARM_PORT, VARNISH_PORT, NGINX_PORT, BARE_PORT = 8650, 8651, 8652, 8653, 8654
BARE_DIR = REPO / "bench" / "bare_wagtail"
BARE_DATABASE = "presscentre_bench_bare"
BARE_CHILDREN = 2000
ITEMS_PER_PAGE = 20  # PRESSCENTRE_ITEMS_PER_PAGE's default, which the bench's servers keep
SITEMAP_URLS_PER_PAGE = 50_000  # presscentre/syndication/sitemaps.py: the protocol's limit
LOAD_ITEMS = 500_000  # issue 21: the figures are taken on 500,000 items
BEGIN, END = "<!-- bench/load.py: begin -->", "<!-- bench/load.py: end -->"

# Targets from the issue: req/s floors per (page, mode), the Varnish share of the ceiling, worker memory.
COLD_TARGETS = {"item": 300, "index": 200, "category": 200, "search": 100}
WARM_APP_TARGETS = {"item": 5000, "index": 5000}
VARNISH_SHARE_TARGETS = {"item": 0.7, "index": 0.7}
WORKER_RSS_LIMIT_MB = 250
# Against the stock Wagtail site in the same run: our cold page's req/s over the bare one's.
BARE_RATIO_TARGETS = {("item", "bare-detail"): 1.5, ("index", "bare-listing"): 2.0}
# One request from an empty cache ("well under a second" at 500,000 items): the first one must take less.
SINGLE_REQUEST_TARGET_S = 0.5

# The pages measured in every mode (cold, warm app cache, warm Varnish, nginx ceiling) ...
ALL_MODE_PAGES = ("item", "index", "category", "feed", "search")
# ... those measured cold only, each also timed as single requests from an empty cache ...
COLD_ONLY_PAGES = ("sitemap", "sitemap-page", "index-far", "category-last")
# ... and the stock Wagtail site's, cold on the same app server.
BARE_PAGES = ("bare-detail", "bare-listing")
PAGES = (*ALL_MODE_PAGES, *COLD_ONLY_PAGES, *BARE_PAGES)
SITEMAP_PAGES = ("sitemap", "sitemap-page")  # measured with --sitemap-connections


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


def fetch(url: str, timeout: float = 30) -> tuple[int, bytes]:
    """The status and body of a GET; status 0 when no answer came within `timeout` seconds."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own loopback server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""
    except (OSError, TimeoutError):
        return 0, b""


def settle(url: str, timeout: float = 120) -> int:
    """Wait until `url` answers 200 (a slow row leaves requests queued behind it); the last status seen."""
    deadline = time.monotonic() + timeout
    status = 0
    while time.monotonic() < deadline:
        status, _ = fetch(url)
        if status == 200:
            break
    return status


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
class SingleRequests:
    page: str
    first_s: float  # the first request after the cache was emptied
    median_s: float  # the median of the next few, each a full render on the cold server (no page cache)
    status: int = 200


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
    errors += int(non_2xx.group(1)) if non_2xx else 0
    if int(re.search(r"(\d+) requests in", text).group(1)) == 0:
        errors = max(errors, connections)  # nothing finished: every connection waited out wrk's timeout
    return rps, p50, p99, errors


def measure(page: str, mode: str, url: str, args) -> Row:
    status = settle(url)
    if status != 200:
        out(f"  {page:<13} {mode:<22} answered {status or 'nothing'} instead of 200: not measured")
        return Row(page, mode, 0.0, 0.0, 0.0, errors=1)
    # A sitemap takes a good part of a second to write: 32 connections on 2 workers would queue each request
    # behind 15 others, past wrk's 10 s timeout, and report none. Crawlers fetch a few at a time; a few
    # connections per worker keep every worker busy, so req/s is the same and the latencies mean something.
    connections = min(args.connections, args.sitemap_connections) if page in SITEMAP_PAGES else args.connections
    if args.warmup:
        run_wrk(url, duration=args.warmup, connections=connections, threads=args.wrk_threads)
    rps, p50, p99, errors = run_wrk(url, duration=args.duration, connections=connections, threads=args.wrk_threads)
    out(f"  {page:<13} {mode:<22} {rps:>10.0f} req/s  p50 {p50:>7.2f} ms  p99 {p99:>8.2f} ms  errors {errors}")
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
    """A public press release in the middle of the archive, a busy category, the feed and a common word; the
    sitemap index and its first full items page; the index's page before the last and the busy category's last
    page; the bare site's middle child and its listing's first page."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{database}") as connection:
        (slug,) = connection.execute(
            "SELECT p.slug FROM wagtailcore_page p JOIN newsroom_pressreleasepage r ON r.newsitempage_ptr_id = p.id "
            "JOIN newsroom_newsitempage n ON n.page_ptr_id = p.id WHERE n.embargo_until IS NULL "
            "ORDER BY p.id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM newsroom_pressreleasepage)"
        ).fetchone()
        category, category_items = connection.execute(
            "SELECT c.slug, count(*) FILTER (WHERE n.embargo_until IS NULL OR n.embargo_until <= now()) "
            "FROM newsroom_category c "
            "JOIN newsroom_itemcategory l ON l.category_id = c.id "
            "JOIN newsroom_newsitempage n ON n.page_ptr_id = l.item_id "
            "GROUP BY c.slug ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        first_id, last_id, items = connection.execute(
            "SELECT min(p.id), max(p.id), count(*) FILTER (WHERE n.embargo_until IS NULL OR n.embargo_until <= now()) "
            "FROM wagtailcore_page p "
            "JOIN newsroom_newsitempage n ON n.page_ptr_id = p.id WHERE p.live"
        ).fetchone()
    # The first sitemap page whose id range lies wholly inside the archive holds the full 50,000 URLs (less the
    # few embargoed items); a small archive has none, so its first page stands in.
    full = -(-first_id // SITEMAP_URLS_PER_PAGE)
    sitemap_page = full if (full + 1) * SITEMAP_URLS_PER_PAGE - 1 <= last_id else first_id // SITEMAP_URLS_PER_PAGE
    index_pages = -(-items // ITEMS_PER_PAGE)
    return {
        "item": f"/{slug}/",
        "index": "/",
        "category": f"/category/{category}/",
        "feed": "/feed/",
        "search": "/search/?q=economy+budget",
        "sitemap": "/sitemap.xml",
        "sitemap-page": f"/sitemap-items-{sitemap_page}.xml",
        "index-far": f"/?page={max(index_pages - 1, 1)}",
        "category-last": f"/category/{category}/?page={-(-category_items // ITEMS_PER_PAGE)}",
        "bare-detail": f"/page-{BARE_CHILDREN // 2:04d}/",
        "bare-listing": "/",
    }


def bare_env(args, folder: Path) -> dict[str, str]:
    """The stock Wagtail site's environment: its own database, the same persistent connections as ours."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "bare_site.settings",
        "PYTHONPATH": str(BARE_DIR),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{PG_SERVER}/{BARE_DATABASE}",
        "DATABASE_CONN_MAX_AGE": "600",
        "STATIC_ROOT": str(folder / "bare-static"),
        "MEDIA_ROOT": str(folder / "bare-media"),
    }


def set_up_bare_site(env: dict[str, str]) -> None:
    """Create the stock Wagtail site's database if needed, migrate it and give its listing its children (each step
    does nothing when already done)."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BARE_DATABASE]).fetchone():
            admin.execute(f"CREATE DATABASE {BARE_DATABASE}")
    manage = [sys.executable, str(BARE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], cwd=BARE_DIR, env=env, check=True)  # noqa: S603
    command = [*manage, "create_bare_listing", "--children", str(BARE_CHILDREN)]
    subprocess.run(command, cwd=BARE_DIR, env=env, check=True)  # noqa: S603
    vacuum(BARE_DATABASE)


def cold_order(paths: dict[str, str]) -> list[str]:
    """The cold rows in the order they run: each stock Wagtail page right after the page it is compared with, so
    a ratio's two rows are measured a few seconds apart, whatever else the machine is doing."""
    order = []
    for page in (*ALL_MODE_PAGES, *COLD_ONLY_PAGES):
        order.append(page)
        order += [bare for (ours, bare) in BARE_RATIO_TARGETS if ours == page]
    order += [page for page in BARE_PAGES if page not in order]
    return [page for page in order if page in paths]


def time_single_requests(url: str, page: str, cache, repeats: int = 5) -> SingleRequests:
    """Seconds for one GET right after the shared cache was emptied, then the median of `repeats` more."""
    cache.flushdb()
    started = time.perf_counter()
    status, _ = fetch(url)
    first = time.perf_counter() - started
    if status != 200:
        out(f"  {page:<13} answered {status or 'nothing'} instead of 200: not timed")
        return SingleRequests(page, first, first, status)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fetch(url)
        times.append(time.perf_counter() - started)
    median = sorted(times)[len(times) // 2]
    out(f"  {page:<13} single GET from an empty cache {first:.3f} s, then median {median:.3f} s")
    return SingleRequests(page, first, median)


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
        "DATABASE_PREPARED_STATEMENTS": "false" if args.no_prepared_statements else "true",
        "PRESSCENTRE_VARNISH_URL": f"http://127.0.0.1:{VARNISH_PORT}",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_MAX_REQUESTS": "0",  # memory after the run must show growth, not a recycled worker
    }


def start_app(
    stack: Stack, name: str, port: int, env: dict[str, str], args, *, threads: int, bare: bool = False
) -> subprocess.Popen:
    """The app server under test: gunicorn with the repository's config, or granian's WSGI interface; with `bare`
    the stock Wagtail site on the same server, worker count and threads (gunicorn's settings given directly, as
    our config file speaks of our app)."""
    if args.server == "granian":
        application = "bare_site.wsgi:application" if bare else "presscentre.wsgi:application"
        argv = [str(Path(sys.executable).with_name("granian")), "--interface", "wsgi", application]
        argv += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)]
        argv += ["--blocking-threads", str(threads), "--no-access-log", "--log-level", "warning"]
        if bare:
            argv += ["--working-dir", str(BARE_DIR)]
    elif bare:
        argv = [sys.executable, "-m", "gunicorn", "bare_site.wsgi", "--chdir", str(BARE_DIR), "--worker-class"]
        argv += ["gthread", "--workers", str(args.workers), "--threads", str(threads), "--keep-alive", "5"]
        argv += ["--bind", f"127.0.0.1:{port}"]
    else:
        argv = [sys.executable, "-m", "gunicorn", "presscentre.wsgi", "-c", "deploy/gunicorn.conf.py"]
        argv += ["--bind", f"127.0.0.1:{port}"]
    process = stack.start(name, argv, env=env)
    wait_for(stack, name, f"http://127.0.0.1:{port}/" if bare else f"http://127.0.0.1:{port}/healthz")
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


def start_nginx(stack: Stack, folder: Path, probe: str) -> None:
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
    wait_for(stack, "nginx", f"http://127.0.0.1:{NGINX_PORT}/{probe}.html")


# -- report ---------------------------------------------------------------------------------------------------


def _version(argv: list[str], pattern: str = r"(\d+\.\d+(?:\.\d+)?)") -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=10)  # noqa: S603
    except OSError:
        return "not found"
    match = re.search(pattern, result.stdout + result.stderr)
    return match.group(1) if match else "unknown"


def load_average() -> str:
    """The machine's 1-minute load average: above the core count, other work competed with the run."""
    return Path("/proc/loadavg").read_text().split()[0]


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


def bare_ratios(rows: list[Row]) -> list[tuple[str, str, float, float, float, float]]:
    """(our page, bare page, our req/s, bare req/s, ratio, target) for each comparison measured in this run."""
    cold = {row.page: row.requests_per_second for row in rows if row.mode == "cold"}
    return [
        (ours, bare, cold[ours], cold[bare], cold[ours] / cold[bare], target)
        for (ours, bare), target in BARE_RATIO_TARGETS.items()
        if ours in cold and cold.get(bare)
    ]


def targets_missed(rows: list[Row], rss: dict[str, list[float]], singles: list[SingleRequests]) -> list[str]:
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
            missed.append(f"Varnish {page}: {row.ratio:.1%} of the ceiling, target {share:.0%}")
    for ours, bare, _, _, ratio, target in bare_ratios(rows):
        if ratio < target:
            missed.append(f"cold {ours} ÷ {bare}: {ratio:.2f}×, target {target}×")
    for single in singles:
        if single.status != 200:
            missed.append(f"{single.page} answered {single.status or 'nothing'} instead of 200")
        elif single.first_s >= SINGLE_REQUEST_TARGET_S:
            missed.append(
                f"{single.page} from an empty cache: {single.first_s:.2f} s, target {SINGLE_REQUEST_TARGET_S} s"
            )
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


def report(
    rows: list[Row],
    rss: dict[str, list[float]],
    args,
    paths: dict[str, str],
    singles: list[SingleRequests],
    missed: list[str],
) -> str:
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/load.py` on {args.items:,} items and "
        f"{args.comments:,} comments: wrk with {args.connections} connections ({args.sitemap_connections} for "
        f"the sitemap rows) and {args.wrk_threads} threads, "
        f"{args.duration} s per row after {args.warmup} s of warm-up, {server_label(args)}, "
        "DEBUG off, PostgreSQL"
        + (
            " without prepared statements (a diagnosis, not production's setting)"
            if args.no_prepared_statements
            else ""
        )
        + " and Redis. Everything, wrk included, shares the machine: its load average (1 minute) was "
        f"{args.load_before} at the start and {load_average()} at the end. The bare-* rows are a "
        f"stock Wagtail 8 site (bench/bare_wagtail/, a listing of {BARE_CHILDREN:,} children) on the same app "
        "server, worker count and threads as the cold rows, in the same run.",
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
    lines.append("")
    if any(row.mode == "static file (nginx)" for row in rows):
        lines += ["Each page's ceiling is its own HTML, saved once and served as a static file by nginx.", ""]
    if ratios := bare_ratios(rows):
        lines += ["Against the stock Wagtail site (cold req/s, same run):", ""]
        lines += [
            "| ours | stock Wagtail | ours req/s | stock req/s | ratio | target |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {ours} | {bare} | {mine:,.0f} | {theirs:,.0f} | {ratio:.2f}× | ≥ {target}× |"
            for ours, bare, mine, theirs, ratio, target in ratios
        ]
        lines.append("")
    if singles:
        lines += [
            "Single requests on the cold server (no page cache), the first right after the shared cache was emptied "
            f"(target: under {SINGLE_REQUEST_TARGET_S} s), then the median of five more:",
            "",
            "| page | first, empty cache | median of the next 5 |",
            "| --- | ---: | ---: |",
        ]
        lines += [
            f"| {single.page} (`{paths[single.page]}`) | {single.first_s:.3f} s | {single.median_s:.3f} s |"
            for single in singles
        ]
        lines.append("")
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
    parser.add_argument(
        "--sitemap-connections", type=int, default=4, help="wrk connections for the sitemap rows (default 4)"
    )
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
    parser.add_argument(
        "--items", type=int, default=LOAD_ITEMS, help="archive size passed to generate.py (default 500,000)"
    )
    parser.add_argument("--comments", type=int, help="comments passed to generate.py (default two per item)")
    parser.add_argument("--database", help="the generated archive's database (default: generate.py's for the size)")
    parser.add_argument("--only", default="", help="comma-separated pages: " + ",".join(PAGES))
    parser.add_argument("--no-write", action="store_true", help="print the table without writing the docs")
    parser.add_argument("--cold-only", action="store_true", help="only the cold rows (ours and the stock site's)")
    parser.add_argument(
        "--no-prepared-statements",
        action="store_true",
        help="run our app with DATABASE_PREPARED_STATEMENTS=false (a diagnosis: production keeps them on)",
    )
    args = parser.parse_args()
    args.load_before = load_average()
    if args.workers is None:
        args.workers = 2 if args.server == "granian" else 3
    args.comments = default_comments(args.items) if args.comments is None else args.comments
    args.database = args.database or database_for(args.items)
    wanted = {name.strip() for name in args.only.split(",") if name.strip()} or set(PAGES)
    if unknown := wanted - set(PAGES):
        parser.error(f"--only: unknown pages {sorted(unknown)}; choose from {','.join(PAGES)}")
    for tool in ("wrk", "nginx", "redis-server"):
        if not shutil.which(tool):
            parser.error(f"{tool} is not installed (Debian package {tool if tool != 'redis-server' else 'redis'})")
    if not (shutil.which("varnishd") or Path("/usr/sbin/varnishd").exists()):
        parser.error("varnishd is not installed (Debian package varnish)")

    generate = [sys.executable, str(REPO / "bench" / "generate.py"), "--items", str(args.items)]
    subprocess.run([*generate, "--comments", str(args.comments), "--database", args.database], check=True)  # noqa: S603
    sys.path.insert(0, str(REPO))
    vacuum(args.database)
    paths = {name: path for name, path in pick_paths(args.database).items() if name in wanted}

    import redis

    folder = Path(tempfile.mkdtemp(prefix="presscentre-load-"))
    stack = Stack(folder)
    cache = redis.Redis.from_url(REDIS_URL)
    rows: list[Row] = []
    rss: dict[str, list[float]] = {}
    singles: list[SingleRequests] = []
    ceilings: dict[str, float] = {}
    everywhere = [page for page in ALL_MODE_PAGES if page in paths]
    bare_pages = [page for page in BARE_PAGES if page in paths]
    try:
        env_for_bare = bare_env(args, folder)
        if bare_pages:
            out("the stock Wagtail site: migrating and creating its listing when needed")
            set_up_bare_site(env_for_bare)
        cache.flushdb()
        cold_env = app_env(args, folder, args.database, page_cache=False, threads=args.cold_threads)
        subprocess.run(  # noqa: S603 - fixed argv
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=REPO, env=cold_env, check=True
        )

        out(f"cold: {args.server} with the page cache off, and the stock Wagtail site on the same server")
        cold = start_app(stack, "cold", COLD_PORT, cold_env, args, threads=args.cold_threads)
        bare = None
        if bare_pages:
            bare = start_app(stack, "bare", BARE_PORT, env_for_bare, args, threads=args.cold_threads, bare=True)
        for page in COLD_ONLY_PAGES:
            if page in paths:
                singles.append(time_single_requests(f"http://127.0.0.1:{COLD_PORT}{paths[page]}", page, cache))
        pages_dir = folder / "static-pages"
        pages_dir.mkdir()
        for page in everywhere:
            status, body = fetch(f"http://127.0.0.1:{COLD_PORT}{paths[page]}")
            (pages_dir / f"{page}.html").write_bytes(body)
        for page in cold_order(paths):
            port = BARE_PORT if page in BARE_PAGES else COLD_PORT
            rows.append(measure(page, "cold", f"http://127.0.0.1:{port}{paths[page]}", args))
        rss["cold server"] = rss_of_workers(cold.pid)
        stack.stop("cold")
        if bare is not None:
            rss["stock Wagtail server"] = rss_of_workers(bare.pid)
            stack.stop("bare")

        if everywhere and not args.cold_only:
            out(f"warm: {args.server} with the page cache in Redis, then Varnish in front of it")
            warm_threads = args.blocking_threads if args.server == "granian" else args.threads
            warm_env = app_env(args, folder, args.database, page_cache=True, threads=warm_threads)
            warm = start_app(stack, "warm", WARM_PORT, warm_env, args, threads=warm_threads)
            for page in everywhere:
                rows.append(measure(page, "warm, app cache", f"http://127.0.0.1:{WARM_PORT}{paths[page]}", args))
            start_varnish(stack, folder)
            for page in everywhere:
                rows.append(measure(page, "warm, Varnish", f"http://127.0.0.1:{VARNISH_PORT}{paths[page]}", args))
            rss["warm server"] = rss_of_workers(warm.pid)

            out("ceiling: the same HTML as static files from nginx")
            start_nginx(stack, folder, everywhere[0])
            for page in everywhere:
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
    rows.sort(key=lambda row: (PAGES.index(row.page), order[row.mode]))
    missed = targets_missed(rows, rss, singles)
    text = report(rows, rss, args, paths, singles, missed)
    out()
    out(text)
    if not args.no_write:
        write_report(text)
        out(f"written to {PERFORMANCE_DOC.relative_to(REPO)} and {RESULTS_FILE.relative_to(REPO)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
