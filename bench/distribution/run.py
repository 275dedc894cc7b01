"""Distribution throughput: one embargoed release sent to N generated contacts by the real worker.

Creates the PostgreSQL database `presscentre_distribution` (dropped first), a press centre with one embargoed
release, and for each size (1,000 and 5,000 by default) that many contacts in one list. Starts an SMTP sink
(aiosmtpd, its own process) and the real worker (`manage.py db_worker`), schedules the distribution the way
the admin's "Send now" does, and waits until it is sent. Reports messages per second, total time (from
queueing to the distribution's `finished_at`) and the worker's peak resident memory (VmHWM). Exits 1 when a
target is missed or anyone got two messages.

    .venv/bin/python bench/distribution/run.py            # or: make bench
    .venv/bin/python bench/distribution/run.py --sizes 200 # a quick try

Ports 8610-8619 on 127.0.0.1 only. The database and the process logs (in a temporary folder, named at the
start) are left for inspection; the database is dropped on the next run.
"""

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESULTS_FILE = REPO / "bench" / "results" / "distribution.md"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "presscentre_distribution"
SMTP_PORT = 8610
TARGET_RATE = 100.0  # messages per second
MEMORY_GROWTH_LIMIT = 1.25  # peak memory at the largest size over the smallest
RUN_LIMIT = 600  # seconds per size

ENV = {
    **os.environ,
    "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-not-secret",
    "ALLOWED_HOSTS": "localhost",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": str(SMTP_PORT),
    "LOG_LEVEL": "WARNING",
    "REDIS_URL": "",
}


def out(line: str = "") -> None:
    print(line, flush=True)


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DB_NAME}"')
    manage("migrate", "--no-input", "-v0")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=ENV, check=True)  # noqa: S603


def setup_django() -> None:
    os.environ.update(ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presscentre.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def create_release():
    from wagtail.models import Page, Site

    from presscentre.newsroom.models import PressCentrePage, PressReleasePage

    root = Page.get_first_root_node()
    index = root.add_child(instance=PressCentrePage(title="Press Centre", slug="press-centre"))
    Site.objects.filter(is_default_site=True).update(root_page=index)
    release = PressReleasePage(
        title="Living standards audit: households worse off than forecast",
        slug="living-standards-audit",
        subheadline="Incomes behind the official forecast for a third year",
        lead="The typical household is worse off than forecast, according to the annual audit published today.",
        notes_to_editors="<p>The audit covers 2,000 households.</p>",
        embargo_until=datetime.now(UTC) + timedelta(days=1),
    )
    index.add_child(instance=release)
    release.save_revision().publish()
    return release


def create_contacts(count: int):
    from presscentre.distribution.models import MediaContact, MediaList

    media_list = MediaList.objects.create(name=f"Bench list of {count}")
    contacts = MediaContact.objects.bulk_create(
        [
            MediaContact(name=f"Journalist {n}", email=f"journalist{n}@bench-{count}.example.com", outlet="Outlet")
            for n in range(count)
        ],
        batch_size=1000,
    )
    through = MediaContact.lists.through
    through.objects.bulk_create(
        [through(mediacontact_id=contact.pk, medialist_id=media_list.pk) for contact in contacts], batch_size=1000
    )
    return media_list


def start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        args, cwd=REPO, env=ENV, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_size(release, size: int, logs: Path) -> dict:
    from django.db import close_old_connections

    from presscentre.distribution.models import Delivery, Distribution
    from presscentre.distribution.services import schedule_distribution

    media_list = create_contacts(size)
    sink_log, worker_log = logs / f"sink-{size}.log", logs / f"worker-{size}.log"
    sink = start([sys.executable, str(Path(__file__).with_name("sink.py")), str(SMTP_PORT)], sink_log)
    worker = start([sys.executable, "manage.py", "db_worker", "--interval", "0.1"], worker_log)
    try:
        # The processes' startup (Django, the first poll) is not part of the send: wait until both are serving.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "ready" in sink_log.read_text() and "Starting worker" in worker_log.read_text():
                break
            time.sleep(0.1)
        else:
            raise SystemExit(f"The sink or the worker did not start; see {logs}")
        distribution = Distribution.objects.create(release=release)
        distribution.lists.add(media_list)
        queued_at = time.monotonic()
        queued_wall = datetime.now(UTC)
        schedule_distribution(distribution, by=None, at=queued_wall)
        deadline = queued_at + RUN_LIMIT
        peak = 0.0
        while time.monotonic() < deadline:
            close_old_connections()
            peak = max(peak, peak_rss_mib(worker.pid))
            if Distribution.objects.filter(pk=distribution.pk, status="sent").exists():
                break
            if worker.poll() is not None:
                raise SystemExit(f"The worker exited; see {worker_log}")
            time.sleep(0.2)
        else:
            raise SystemExit(f"Not sent within {RUN_LIMIT} s; see {worker_log}")
        distribution.refresh_from_db()
        sent = distribution.deliveries.filter(status=Delivery.Status.SENT).count()
        first = queued_wall
        last = distribution.finished_at
        peak = max(peak, peak_rss_mib(worker.pid))
    finally:
        stop(worker)
        stop(sink)
    sink_report = sink_log.read_text().split()
    counts = dict(item.split("=") for item in sink_report if "=" in item)
    total = (last - first).total_seconds()
    return {
        "size": size,
        "sent": sent,
        "received": int(counts.get("messages", -1)),
        "duplicates": int(counts.get("duplicates", -1)),
        "seconds": total,
        "rate": sent / total if total else float("inf"),
        "peak_mib": peak,
    }


def write_results(rows: list[dict], verdicts: list[str]) -> str:
    lines = [
        "# Distribution throughput",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, PostgreSQL, one `db_worker`, SMTP sink (aiosmtpd) on 127.0.0.1.",
        "One embargoed release (personal link and .ics per recipient). Time: from queueing to `finished_at`.",
        "",
        "| recipients | sent | received by sink | sent twice | total time (s) | messages/s | worker peak RSS (MiB) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['size']:,} | {row['sent']:,} | {row['received']:,} | {row['duplicates']} | "
            f"{row['seconds']:.1f} | {row['rate']:.0f} | {row['peak_mib']:.0f} |"
        )
    lines += ["", *verdicts, ""]
    text = "\n".join(lines)
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(text)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    options = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="presscentre-distribution-bench-"))
    out(f"Process logs in {logs}")
    out(f"Recreating {DB_NAME} and migrating ...")
    recreate_database()
    setup_django()
    release = create_release()
    rows = []
    for size in options.sizes:
        out(f"Sending to {size:,} contacts ...")
        rows.append(run_size(release, size, logs))
        out(f"  {rows[-1]}")
    verdicts = []
    failed = False
    for row in rows:
        ok = row["rate"] >= TARGET_RATE and row["duplicates"] == 0 and row["sent"] == row["size"]
        failed |= not ok
        verdicts.append(
            f"- {row['size']:,}: {'meets' if ok else 'MISSES'} the target of {TARGET_RATE:.0f} messages/s "
            "with nobody sent twice."
        )
    if len(rows) > 1:
        growth = rows[-1]["peak_mib"] / rows[0]["peak_mib"]
        flat = growth <= MEMORY_GROWTH_LIMIT
        failed |= not flat
        verdicts.append(
            f"- Peak memory at {rows[-1]['size']:,} is {growth:.2f}x that at {rows[0]['size']:,} "
            f"({'flat' if flat else 'GROWS'}; limit {MEMORY_GROWTH_LIMIT}x)."
        )
    out(write_results(rows, verdicts))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
