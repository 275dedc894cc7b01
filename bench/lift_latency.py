"""Lift latency: how soon after its embargo instant does a release become public, seen from outside?

Runs the real stack with production-like settings (gunicorn, the django-tasks database worker and the sweep, on
PostgreSQL and Redis, DEBUG off), publishes 20 embargoed press releases a few seconds apart the way the admin
does, and polls each public URL over plain HTTP around its instant. Reports per embargo the delay between the
instant and the first public 200, the delay of the lift itself (audit log, email), and any 200 received before
the instant (a leak). Exits 1 when a delay exceeds the target or anything leaked.

    .venv/bin/python bench/lift_latency.py      # or: make bench

Everything it creates is thrown away at the end: a PostgreSQL database, Redis database 15, a temporary folder
for media and process logs (kept, and named, when the run fails). Traffic goes only to 127.0.0.1.
"""

import argparse
import importlib.util
import math
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import (  # noqa: E402 - bench/ is not a package; its helper sits beside this script
    REPO,
    Stack,
    django_ready,
    free_port,
    get,
    machine_description,
    out,
    prepare_database,
    press_centre_site,
    run_guarded,
    stack_environment,
    start_app,
    wait_for_health,
)

RESULTS_FILE = REPO / "bench" / "results" / "lift_latency.md"
DB_NAME = "presscentre_bench"
REDIS_URL = "redis://127.0.0.1:6379/15"

TARGET_SECONDS = 1.0
POLL_INTERVAL = 0.02  # seconds between requests to one URL
POLL_BEFORE = 2.0  # start polling this long before the instant
POLL_GIVE_UP = 10.0  # stop polling this long after the instant, with no public 200 seen
LIFT_WAIT = 5.0  # after the last instant plus this, stop waiting for lifts to be recorded
RUN_LIMIT = 170  # seconds: the whole run, setup and teardown included, is cut off after this
REQUEST_TIMEOUT = 2.0  # seconds one poll may wait for its answer before it counts as no connection


# -- polling ----------------------------------------------------------------------------------------------------


@dataclass
class Probe:
    """Everything seen while polling one release's public URL."""

    number: int
    pk: int
    path: str
    instant: float  # epoch seconds
    requests: int = 0
    early_200s: int = 0
    unexpected: dict[int, int] = field(default_factory=dict)  # status (0: no connection) -> count
    first_200_sent: float | None = None
    first_200_received: float | None = None
    round_trips_404: list[float] = field(default_factory=list)
    headers_404: dict[str, str] = field(default_factory=dict)
    headers_200: dict[str, str] = field(default_factory=dict)

    @property
    def public_delay(self) -> float | None:
        return None if self.first_200_received is None else self.first_200_received - self.instant

    def poll(self, port: int) -> None:
        """From POLL_BEFORE ahead of the instant until the first public 200 (or POLL_GIVE_UP after it)."""
        start, give_up = self.instant - POLL_BEFORE, self.instant + POLL_GIVE_UP
        time.sleep(max(0.0, start - time.time()))
        next_at = time.time()
        while time.time() < give_up:
            sent = time.time()
            response = get(port, self.path, timeout=REQUEST_TIMEOUT)
            status, headers = response.status, response.headers
            received = time.time()
            self.requests += 1
            if status == 200:
                if received < self.instant:
                    # The server answered before the instant had come: it decided too early.
                    self.early_200s += 1
                else:
                    self.first_200_sent, self.first_200_received, self.headers_200 = sent, received, headers
                    return
            elif status == 404:
                self.round_trips_404.append(received - sent)
                self.headers_404 = self.headers_404 or headers
            else:
                self.unexpected[status] = self.unexpected.get(status, 0) + 1
            next_at = max(next_at + POLL_INTERVAL, received)
            time.sleep(max(0.0, next_at - time.time()))


def poll_all(probes: list[Probe], port: int) -> None:
    threads = [threading.Thread(target=probe.poll, args=(port,), daemon=True) for probe in probes]
    for thread in threads:
        thread.start()
    for thread in threads:
        # Every poller stops by itself at its give-up time; the margin covers one last slow request.
        thread.join(timeout=max(0.0, probes[-1].instant + POLL_GIVE_UP - time.time()) + 5.0)


# -- content ----------------------------------------------------------------------------------------------------


def create_releases(*, port: int, count: int, lead: float, spacing: float) -> list[Probe]:
    """A press centre as the site root and `count` embargoed releases, published as the admin publishes them.

    Publishing fires Wagtail's page_published signal, which queues each release's lift task for its instant.
    """
    from presscentre.newsroom.models import PressReleasePage

    index, site = press_centre_site("Bench Press Centre", "bench-press-centre", port=port, site_name="Bench")

    first = math.ceil(time.time()) + lead  # whole seconds, as an editor would set them
    probes = []
    for number in range(1, count + 1):
        instant = first + (number - 1) * spacing
        at = datetime.fromtimestamp(instant, UTC)
        release = PressReleasePage(
            title=f"Benchmark release {number:02d}",
            slug=f"benchmark-release-{number:02d}",
            published_at=at,
            embargo_until=at,
            lead=f"Benchmark release {number} becomes public at {at:%H:%M:%S} UTC.",
        )
        release.live = False  # saved as a draft first, then published from its revision, as the admin does
        index.add_child(instance=release)
        release.save_revision().publish()
        probes.append(Probe(number=number, pk=release.pk, path=release.relative_url(site), instant=instant))
    return probes


@dataclass
class Lift:
    lifted_at: float | None
    by: str
    task_started: float | None


def wait_for_lifts(probes: list[Probe]) -> dict[int, Lift]:
    """When each lift ran, and which path ran it, as far as the database tells."""
    from django_tasks_db.models import DBTaskResult

    from presscentre.newsroom.models import NewsItemPage

    pks = [probe.pk for probe in probes]
    deadline = probes[-1].instant + LIFT_WAIT
    while True:
        lifted = dict(NewsItemPage.objects.filter(pk__in=pks).values_list("pk", "embargo_lifted_at"))
        tasks = {
            result.args_kwargs["args"][0]: result
            for result in DBTaskResult.objects.filter(task_path__endswith=".lift_embargo_task")
        }
        # The task usually finds the release already lifted by then, but when it ran is worth reporting too.
        tasks_done = all(task.finished_at is not None for task in tasks.values())
        if (all(lifted.values()) and tasks_done) or time.time() > deadline:
            break
        time.sleep(0.2)
    lifts = {}
    for probe in probes:
        at = lifted.get(probe.pk)
        task = tasks.get(probe.pk)
        lifted_at = at.timestamp() if at else None
        if lifted_at is None:
            by = "not lifted"
        elif task is not None and task.return_value is True:
            by = "task"
        elif probe.first_200_sent is not None and probe.first_200_sent <= lifted_at <= probe.first_200_received:
            # serve() lifts an overdue item on the spot; `at` then falls inside our own first public request.
            by = "request"
        else:
            by = "sweep"
        started = task.started_at.timestamp() if task is not None and task.started_at else None
        lifts[probe.pk] = Lift(lifted_at=lifted_at, by=by, task_started=started)
    return lifts


# -- report -----------------------------------------------------------------------------------------------------


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else str(round(seconds * 1000))  # round(), unlike :.0f, never gives "-0"


def report(probes: list[Probe], lifts: dict[int, Lift]) -> tuple[str, bool]:
    rows = [
        "| # | instant (UTC) | first public 200 (ms) | its request sent (ms) | lift (ms) | lifted by "
        "| lift task started (ms) | early 200s | requests |",
        "| ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for probe in probes:
        lift = lifts[probe.pk]
        sent = None if probe.first_200_sent is None else probe.first_200_sent - probe.instant
        rows.append(
            f"| {probe.number} | {datetime.fromtimestamp(probe.instant, UTC):%Y-%m-%d %H:%M:%S} "
            f"| {ms(probe.public_delay)} | {ms(sent)} "
            f"| {ms(None if lift.lifted_at is None else lift.lifted_at - probe.instant)} | {lift.by} "
            f"| {ms(None if lift.task_started is None else lift.task_started - probe.instant)} "
            f"| {probe.early_200s} | {probe.requests} |"
        )
    delays = [probe.public_delay for probe in probes]
    seen = [delay for delay in delays if delay is not None]
    lift_delays = [lift.lifted_at - probe.instant for probe in probes if (lift := lifts[probe.pk]).lifted_at]
    leaks = sum(probe.early_200s for probe in probes)
    unexpected: dict[int, int] = {}
    for probe in probes:
        for status, count in probe.unexpected.items():
            unexpected[status] = unexpected.get(status, 0) + count
    round_trips_404 = [trip for probe in probes for trip in probe.round_trips_404]
    round_trips_200 = [probe.first_200_received - probe.first_200_sent for probe in probes if probe.first_200_sent]
    passed = len(seen) == len(probes) and max(seen) <= TARGET_SECONDS and not leaks and not unexpected
    summary = (
        f"First public 200: max {ms(max(seen, default=None))} ms, median {ms(_median(seen))} ms "
        f"({len(seen)}/{len(probes)} seen). "
        f"Lift: max {ms(max(lift_delays, default=None))} ms, median {ms(_median(lift_delays))} ms "
        f"({len(lift_delays)}/{len(probes)} lifted). Leaks (200 before the instant): {leaks}. "
        + (f"Unexpected responses: {_statuses(unexpected)}. " if unexpected else "")
        + f"Median round trip: {ms(_median(round_trips_404))} ms for a 404, "
        f"{ms(_median(round_trips_200))} ms for the first 200 (which usually carries the lift). "
        + f"Target: every delay ≤ {TARGET_SECONDS * 1000:.0f} ms, no leaks: **{'PASS' if passed else 'FAIL'}**"
    )
    return "\n".join(rows) + "\n\n" + summary + "\n", passed


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _statuses(counts: dict[int, int]) -> str:
    named = {0: "no connection"}
    return ", ".join(f"{named.get(status, status)} ×{count}" for status, count in sorted(counts.items()))


def write_results(table: str, *, machine: str, started: datetime, headers: str) -> None:
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(
        "# Lift latency\n\n"
        f"Run {started:%Y-%m-%d %H:%M} UTC on {machine}.\n\n"
        "Stack: gunicorn (2 workers × 4 threads), `run_worker --interval 1`, `lift_due_embargoes --every 1`; "
        f"PostgreSQL, {cache_description()}, `DEBUG=false`.\n\n"
        "Delays are from the embargo instant to the first 200 received by an outside poller "
        f"(every {POLL_INTERVAL * 1000:.0f} ms, a fresh connection per request) and to the recorded lift "
        "(`embargo_lifted_at`). See bench/README.md.\n\n"
        f"{table}\n{headers}"
    )


def response_headers(probes: list[Probe]) -> str:
    """What the first release's URL answered before and after its instant: caching headers decide a lot."""
    keep = ("cache-control", "expires", "etag", "last-modified", "vary", "age", "x-robots-tag")
    lines = []
    for label, headers in (("404 before", probes[0].headers_404), ("200 after", probes[0].headers_200)):
        shown = "; ".join(f"{name}: {headers[name]}" for name in keep if name in headers) or "no caching headers"
        lines.append(f"- Release 1, {label}: {shown}")
    return "\n".join(lines) + "\n"


# -- the run ----------------------------------------------------------------------------------------------------


def cache_description() -> str:
    if os.environ.get("REDIS_URL"):
        return f"Redis cache ({REDIS_URL})"
    return (
        "the database cache every process shares: REDIS_URL left unset because the `redis` client package, which "
        "Django's RedisCache needs, is not installed"
    )


def benchmark(args: argparse.Namespace, stack: Stack, tmp: Path) -> bool:
    started = datetime.now(UTC)
    os.environ.pop("REDIS_URL", None)
    if importlib.util.find_spec("redis") is not None:
        os.environ["REDIS_URL"] = REDIS_URL
    else:
        out(f"Warning: {cache_description()}.")
    stack_environment(DB_NAME, tmp)
    # STATIC_ROOT keeps its default: static files are collected into static_collected/, which is git-ignored.
    prepare_database(stack, DB_NAME, timeout=90)
    from django.core.cache import cache

    cache.clear()  # Redis database 15, when used, belongs to the benchmark

    port = free_port()
    start_app(stack, port, ["--workers", "2", "--threads", "4", "--access-logfile", str(tmp / "access.log")])
    wait_for_health(stack, port, log="web")
    out(f"Stack up on 127.0.0.1:{port}. Publishing {args.releases} embargoed releases ...")

    probes = create_releases(port=port, count=args.releases, lead=args.lead, spacing=args.spacing)
    margin = probes[0].instant - POLL_BEFORE - time.time()
    if margin < 0.5:
        raise RuntimeError(f"Publishing took too long: the first instant is too close ({margin:.1f} s); raise --lead.")
    last = datetime.fromtimestamp(probes[-1].instant, UTC)
    out(f"Polling until about {last:%H:%M:%S} UTC ...")
    poll_all(probes, port)
    stack.check_alive()
    lifts = wait_for_lifts(probes)

    table, passed = report(probes, lifts)
    headers = response_headers(probes)
    out()
    out(table)
    out(headers)
    write_results(table, machine=machine_description(), started=started, headers=headers)
    out(f"Written to {RESULTS_FILE.relative_to(REPO)}.")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=20, help="embargoes to schedule (default 20)")
    parser.add_argument("--lead", type=float, default=15.0, help="seconds from now to the first instant (default 15)")
    parser.add_argument("--spacing", type=float, default=2.0, help="seconds between instants (default 2)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the process logs even when the run passes")
    args = parser.parse_args()
    if not 1 <= args.releases <= 50 or not 5 <= args.lead <= 60 or not 0.5 <= args.spacing <= 5:
        parser.error("keep to 1-50 releases, a lead of 5-60 s and a spacing of 0.5-5 s so the run stays short")

    return run_guarded(
        benchmark, args, database=DB_NAME, run_limit=RUN_LIMIT, tmp_prefix="presscentre-bench-", forget=_clear_cache
    )


def _clear_cache() -> None:
    """Empty the benchmark's cache (Redis database 15, when used), if Django got as far as being set up."""
    if django_ready():
        from django.core.cache import cache

        cache.clear()


if __name__ == "__main__":
    sys.exit(main())
