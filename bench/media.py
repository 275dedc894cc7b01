"""Media: the worker making every download size of 24-megapixel pictures, an item's ZIP, and serving a gallery.

On the production-like stack (PostgreSQL, Redis as the page cache, gunicorn, Varnish with the deployment's VCL, and
the real worker command `manage.py run_worker`):

1. Uploads 50 releases' worth of pictures, 10 each, every one 6000 x 4000 px (24 megapixels, JPEG of about 10 MB with
   film-like grain, so encoding costs what a camera's file costs). Ten distinct pictures are generated once with
   Pillow and kept in the bench cache folder (~/.cache/presscentre-bench/media); each upload is a file of its own.
2. With one fresh worker running, measures the time to make all web, print and original sizes (from the first upload
   to the last task's end, and the sum of the task times the queue recorded) and the worker's peak resident memory
   (VmHWM, with RSS sampled every 0.1 s).
3. Publishes the 50 releases with their galleries (each publication queues its ZIP), and with a second fresh worker
   measures each ZIP's build (the queue's task times), the worker's peak memory, and how much it grew over the
   worker's idle size: a ZIP that was copied in chunks grows the worker by far less than the ZIP's size.
4. Starts gunicorn and Varnish and measures requests per second, on keep-alive connections from 2 processes x 4
   threads, for a release page with its 10-picture gallery through the page cache, for a release without a gallery
   whose page is as long (the other item pages), and for one of the gallery's renditions through Varnish.

Targets: worker peak memory under 500 MB in both phases; every ZIP streamed (the worker grows by less than half a
ZIP's size); the gallery page served from the cache at least 80% as fast as a page without a gallery; every size and
ZIP made; the rendition a Varnish hit. Exits 1 when one is missed.

    .venv/bin/python bench/media.py                          # or: make bench
    .venv/bin/python bench/media.py --releases 3 --seconds 5   # a quicker look
    .venv/bin/python bench/media.py --keep-logs                # keep web, worker and Varnish logs

Needs PostgreSQL at 127.0.0.1:5432, Redis at 127.0.0.1:6379 (database 12 is emptied) and Debian's varnish; uses (and
drops, before and after) the database `presscentre_bench_media`. Needs about 15 GB of disk for a full run.
"""

import argparse
import http.client
import multiprocessing
import os
import platform
import random
import re
import signal
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import (  # noqa: E402 - the benchmarks' shared helpers sit beside this file
    REPO,
    Stack,
    _signal_group,
    free_port,
    get,
    machine_description,
    manage,
    out,
    prepare_database,
    press_centre_site,
    run_guarded,
    stack_environment,
    start_varnish,
    wait_for_health,
)

DB_NAME = "presscentre_bench_media"
REDIS_URL = "redis://127.0.0.1:6379/12"
RESULTS_FILE = REPO / "bench" / "results" / "media.md"
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "presscentre-bench" / "media"
RUN_LIMIT = 3600  # seconds for the whole run
SOURCES = 10  # distinct generated pictures
SIZE = (6000, 4000)  # 24 megapixels
WORKER_PEAK_LIMIT = 500.0  # MiB
STREAM_SHARE = 0.5  # a ZIP's build may grow the worker by at most this share of the ZIP's size
GALLERY_SHARE = 0.8  # the gallery page's cached rate against a page without a gallery


# -- pictures -------------------------------------------------------------------------------------------------


def source_pictures() -> list[Path]:
    """Ten 24-megapixel JPEGs: soft colour fields under film grain (about 10 MB each), made once and cached."""
    from PIL import Image

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(SOURCES):
        path = CACHE_DIR / f"picture-{number:02d}-{SIZE[0]}x{SIZE[1]}.jpg"
        if not path.exists():
            out(f"  generating {path.name} ...")
            rng = random.Random(number)  # noqa: S311 - reproducible pictures, not secrets
            colour = Image.frombytes("RGB", (120, 80), rng.randbytes(120 * 80 * 3))
            colour = colour.resize(SIZE, Image.Resampling.BICUBIC)
            grain = Image.effect_noise(SIZE, 40).convert("RGB")
            partial = path.with_suffix(".partial")
            Image.blend(colour, grain, 0.25).save(partial, "JPEG", quality=90)
            partial.rename(path)
        paths.append(path)
    return paths


def upload_pictures(sources: list[Path], *, releases: int, per_release: int) -> list[list[int]]:
    """One image per picture slot, its file a link to (or a copy of) a cached source under MEDIA_ROOT; each save
    queues its sizes as an editor's upload does. Returns the image ids by release."""
    import shutil

    from django.conf import settings
    from django.db import transaction
    from wagtail.models import Collection

    from presscentre.core.models import Licence, PressCentreImage

    folder = Path(settings.MEDIA_ROOT) / "original_images"
    folder.mkdir(parents=True, exist_ok=True)
    collection = Collection.get_first_root_node()
    by_release = []
    for release in range(releases):
        ids = []
        with transaction.atomic():
            for slot in range(per_release):
                source = sources[(release * per_release + slot) % len(sources)]
                name = f"bench-{release:02d}-{slot:02d}.jpg"
                target = folder / name
                if not target.exists():
                    try:
                        os.link(source, target)
                    except OSError:
                        shutil.copyfile(source, target)
                image = PressCentreImage.objects.create(
                    title=f"Release {release + 1} picture {slot + 1}",
                    description="A field of colour under film grain",
                    file=f"original_images/{name}",
                    width=SIZE[0],
                    height=SIZE[1],
                    file_size=target.stat().st_size,
                    collection=collection,
                    caption="Bench picture.",
                    credit="Photo: Bench Studio",
                    licence=Licence.CC_BY_4,
                    people_shown="Ana Ruiz, Tom Reyes",
                )
                ids.append(image.pk)
        by_release.append(ids)
    return by_release


# -- the worker -----------------------------------------------------------------------------------------------


def memory_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of process `pid`, in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))


class Worker:
    """A fresh `manage.py run_worker`, its memory sampled every 0.1 s from a thread."""

    def __init__(self, stack: Stack, name: str) -> None:
        self.stack, self.name = stack, name
        self.process = stack.start(name, manage("run_worker", "--interval", "0.2"))
        self.peak_rss = 0.0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            try:
                self.peak_rss = max(self.peak_rss, memory_mib(self.process.pid)[0])
            except (FileNotFoundError, ValueError):
                return

    def idle_rss(self, settle: float = 4.0) -> float:
        time.sleep(settle)  # imports done, heartbeat written
        self.stack.check_alive()
        return memory_mib(self.process.pid)[0]

    def stop(self) -> float:
        """Stop the worker; returns its VmHWM in MiB."""
        _, hwm = memory_mib(self.process.pid)
        self._stop.set()
        _signal_group(self.process, signal.SIGTERM)
        self.process.wait(timeout=30)
        del self.stack.processes[self.name]
        return hwm


def task_times(task_path: str, since: datetime) -> list[tuple[datetime, datetime]]:
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(task_path=task_path, enqueued_at__gte=since, finished_at__isnull=False)
        .order_by("started_at")
        .values_list("started_at", "finished_at")
    )


def wait_for(stack: Stack, done, *, what: str, limit: float) -> None:
    from django.db import close_old_connections

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        stack.check_alive()
        close_old_connections()
        if done():
            return
        time.sleep(0.5)
    raise RuntimeError(f"{what} not done within {limit:.0f} s; see {stack.log_dir}")


def failed_tasks(since: datetime) -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(enqueued_at__gte=since, status="FAILED").count()


# -- galleries ------------------------------------------------------------------------------------------------


def publish_releases(index, image_ids: list[list[int]]) -> list:
    """A press release per gallery of pictures, published as the admin does (which queues its ZIP)."""
    from presscentre.newsroom.models import PressReleasePage
    from presscentre.newsroom.models.items import ItemAsset

    releases = []
    for number, ids in enumerate(image_ids, start=1):
        release = PressReleasePage(
            title=f"Harbour reopens, part {number}",
            slug=f"harbour-reopens-{number}",
            lead="The harbour reopened today after the storm repairs.",
        )
        release.media_assets = [ItemAsset(image_id=image_id, sort_order=order) for order, image_id in enumerate(ids)]
        index.add_child(instance=release)
        release.save_revision().publish()
        releases.append(release)
    return releases


def plain_release(index, *, padding: int, slug: str = "budget-figures"):
    """A release without a gallery whose page is about `padding` bytes longer than an empty one: the same size as
    the gallery page, so the two rates compare the cache's work rather than the bytes each reader parses."""
    from wagtail.rich_text import RichText

    from presscentre.newsroom.models import PressReleasePage

    sentence = "The figures show household budgets under strain across every region this year. "
    paragraphs = [f"<p>{sentence * 8}</p>" for _ in range(max(0, padding) // (len(sentence) * 8 + 7))]
    release = PressReleasePage(
        title="Budget figures",
        slug=slug,
        lead="The figures, without pictures.",
        body=[("paragraph", RichText(text)) for text in paragraphs],
    )
    index.add_child(instance=release)
    release.save_revision().publish()
    return release


# -- load -----------------------------------------------------------------------------------------------------


def _hammer(port: int, path: str, seconds: float, threads: int, results) -> None:
    counts = [0] * threads
    errors = [0] * threads
    deadline = time.monotonic() + seconds

    def run(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < deadline:
            try:
                connection.request("GET", path, headers={"User-Agent": "presscentre-bench"})
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    counts[slot] += 1
                else:
                    errors[slot] += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                errors[slot] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.close()

    workers = [threading.Thread(target=run, args=(slot,)) for slot in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((sum(counts), sum(errors)))


def requests_per_second(port: int, path: str, *, seconds: float, processes: int = 2, threads: int = 4):
    """GETs of `path` on keep-alive connections from `processes` x `threads` readers for `seconds`: (rate, errors)."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    readers = [context.Process(target=_hammer, args=(port, path, seconds, threads, results)) for _ in range(processes)]
    started = time.monotonic()
    for reader in readers:
        reader.start()
    totals = [results.get(timeout=seconds + 60) for _ in readers]
    for reader in readers:
        reader.join()
    elapsed = time.monotonic() - started
    return sum(done for done, _ in totals) / elapsed, sum(failed for _, failed in totals)


# -- the report -----------------------------------------------------------------------------------------------


@dataclass
class Figures:
    images: int = 0
    sizes_made: int = 0
    sizes_wall: float = 0.0
    sizes_task_sum: float = 0.0
    sizes_task_median: float = 0.0
    sizes_idle: float = 0.0
    sizes_peak: float = 0.0
    sizes_hwm: float = 0.0
    zips: int = 0
    zips_built: int = 0
    zip_first: float = 0.0
    zip_median: float = 0.0
    zip_size: float = 0.0  # MiB, the first release's
    zip_idle: float = 0.0
    zip_hwm: float = 0.0
    failed: int = 0
    gallery_rps: float = 0.0
    gallery_bytes: int = 0
    plain_bytes: int = 0
    gallery_cache: str = ""
    plain_rps: float = 0.0
    rendition_rps: float = 0.0
    rendition_cache: str = ""
    rendition_path: str = ""
    load_errors: int = 0

    def verdicts(self) -> tuple[list[str], bool]:
        checks = [
            (
                self.sizes_made == 3 * self.images,
                f"{self.sizes_made:,} of {3 * self.images:,} download sizes made ({self.failed} tasks failed)",
            ),
            (
                self.sizes_hwm < WORKER_PEAK_LIMIT,
                f"worker peak making the sizes {self.sizes_hwm:.0f} MiB (limit {WORKER_PEAK_LIMIT:.0f})",
            ),
            (self.zips_built == self.zips, f"{self.zips_built} of {self.zips} ZIPs built"),
            (
                self.zip_hwm < WORKER_PEAK_LIMIT,
                f"worker peak building ZIPs {self.zip_hwm:.0f} MiB (limit {WORKER_PEAK_LIMIT:.0f})",
            ),
            (
                self.zip_hwm - self.zip_idle < STREAM_SHARE * self.zip_size,
                f"ZIP streamed: the worker grew {self.zip_hwm - self.zip_idle:.0f} MiB building ZIPs of "
                f"{self.zip_size:.0f} MiB (limit {STREAM_SHARE:.0%} of one)",
            ),
            (
                self.gallery_rps >= GALLERY_SHARE * self.plain_rps and self.gallery_cache == "hit",
                f"gallery page from the cache at {self.gallery_rps:,.0f} req/s against {self.plain_rps:,.0f} for a "
                f"page without a gallery (at least {GALLERY_SHARE:.0%}; page cache said {self.gallery_cache!r})",
            ),
            (
                self.rendition_cache == "hit" and self.rendition_rps > 0,
                f"rendition through Varnish at {self.rendition_rps:,.0f} req/s (Varnish said {self.rendition_cache!r})",
            ),
            (self.load_errors == 0, f"{self.load_errors} failed requests under load"),
        ]
        lines = [f"- {'ok' if ok else 'MISSED'}: {text}" for ok, text in checks]
        return lines, all(ok for ok, _ in checks)

    def table(self) -> str:
        rows = [
            ("pictures (24 MP JPEG, ~10 MB each)", f"{self.images:,}"),
            ("download sizes made (web, print, original)", f"{self.sizes_made:,}"),
            ("worker: all sizes, first upload to last task (s)", f"{self.sizes_wall:.1f}"),
            ("worker: per picture, median task time (s)", f"{self.sizes_task_median:.2f}"),
            ("worker: sum of task times (s)", f"{self.sizes_task_sum:.1f}"),
            (
                "worker idle / peak RSS sampled / VmHWM, sizes (MiB)",
                _mem(self.sizes_idle, self.sizes_peak, self.sizes_hwm),
            ),
            ("ZIPs built (10 print-size pictures each)", f"{self.zips_built} of {self.zips}"),
            ("ZIP build, first release / median (s)", f"{self.zip_first:.2f} / {self.zip_median:.2f}"),
            ("ZIP size, first release (MiB)", f"{self.zip_size:.1f}"),
            ("worker idle / VmHWM, ZIPs (MiB)", f"{self.zip_idle:.0f} / {self.zip_hwm:.0f}"),
            (
                f"gallery page (10 pictures, {self.gallery_bytes:,} bytes), page cache (req/s)",
                f"{self.gallery_rps:,.0f}",
            ),
            (
                f"release page without a gallery, as long ({self.plain_bytes:,} bytes), page cache (req/s)",
                f"{self.plain_rps:,.0f}",
            ),
            (f"rendition through Varnish (req/s), `{self.rendition_path}`", f"{self.rendition_rps:,.0f}"),
        ]
        lines = ["| measure | value |", "| --- | ---: |"]
        lines += [f"| {name} | {value} |" for name, value in rows]
        return "\n".join(lines)


def _mem(idle: float, peak: float, hwm: float) -> str:
    return f"{idle:.0f} / {peak:.0f} / {hwm:.0f}"


def write_results(text: str, *, machine: str, started: datetime, args) -> None:
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(
        "# Media: download sizes, ZIPs and galleries (`bench/media.py`)\n\n"
        f"{started:%Y-%m-%d %H:%M} UTC on {platform.node()}: {machine}.\n"
        f"{args.releases} releases x {args.per_release} pictures of 6000 x 4000 px; one `manage.py run_worker` "
        "(a fresh one for the sizes and another for the ZIPs); gunicorn (2 workers x 4 threads) with Redis as the "
        f"page cache and Varnish in front; load from 2 processes x 4 threads on keep-alive connections for "
        f"{args.seconds:.0f} s per row (each page three times, in turn, the best run kept), on the same machine.\n\n"
        + text
        + "\n"
    )


# -- the run --------------------------------------------------------------------------------------------------


def benchmark(args: argparse.Namespace, stack: Stack, tmp: Path) -> bool:
    started = datetime.now(UTC)
    app_port, varnish_port = free_port(), free_port()
    stack_environment(
        DB_NAME,
        tmp,
        STATIC_ROOT=str(tmp / "static"),
        PRIVATE_MEDIA_ROOT=str(tmp / "private_media"),
        REDIS_URL=REDIS_URL,
        PRESSCENTRE_PAGE_CACHE="true",
        PRESSCENTRE_VARNISH_URL=f"http://127.0.0.1:{varnish_port}",
        PRESSCENTRE_PUBLIC_URL=f"http://127.0.0.1:{varnish_port}",
        LOG_LEVEL="WARNING",
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="4",
        GUNICORN_ACCESS_LOG="",
        DATABASE_CONN_MAX_AGE="600",
    )
    out("Pictures ...")
    sources = source_pictures()
    prepare_database(stack, DB_NAME, timeout=300)
    forget_cache()
    # Varnish from the start, so that the publications' purges reach it (its backend answers once gunicorn is up).
    start_varnish(stack, tmp, port=varnish_port, app_ports=[app_port])
    index, _ = press_centre_site("Press Centre", "press-centre", port=varnish_port, site_name="Media bench")
    figures = Figures(images=args.releases * args.per_release, zips=args.releases)

    from presscentre.core.models import ImageDownload
    from presscentre.mediakit.models import ItemArchive

    # 1. Every size of every picture, by one fresh worker.
    worker = Worker(stack, "worker-sizes")
    figures.sizes_idle = worker.idle_rss()
    out(f"Uploading {figures.images} pictures; worker idle at {figures.sizes_idle:.0f} MiB ...")
    since = datetime.now(UTC)
    image_ids = upload_pictures(sources, releases=args.releases, per_release=args.per_release)
    wait_for(
        stack,
        lambda: ImageDownload.objects.count() >= 3 * figures.images or not_pending(since),
        what="making the sizes",
        limit=RUN_LIMIT,
    )
    times = task_times("presscentre.core.tasks.make_image_downloads_task", since)
    figures.sizes_wall = max(end for _, end in times).timestamp() - since.timestamp() if times else 0.0
    durations = [(end - start).total_seconds() for start, end in times]
    figures.sizes_task_sum = sum(durations)
    figures.sizes_task_median = statistics.median(durations) if durations else 0.0
    figures.sizes_made = ImageDownload.objects.count()
    figures.sizes_peak = worker.peak_rss
    figures.sizes_hwm = worker.stop()
    out(figures.table())

    # 2. The galleries' ZIPs, by another fresh worker.
    worker = Worker(stack, "worker-zips")
    figures.zip_idle = worker.idle_rss()
    out(f"Publishing {args.releases} releases with their galleries; worker idle at {figures.zip_idle:.0f} MiB ...")
    zips_since = datetime.now(UTC)
    releases = publish_releases(index, image_ids)
    wait_for(
        stack,
        lambda: ItemArchive.objects.exclude(file="").count() >= args.releases or not_pending(zips_since),
        what="building the ZIPs",
        limit=RUN_LIMIT,
    )
    zip_times = task_times("presscentre.mediakit.tasks.build_archive_task", zips_since)
    zip_durations = [(end - start).total_seconds() for start, end in zip_times]
    figures.zips_built = ItemArchive.objects.exclude(file="").count()
    figures.zip_first = zip_durations[0] if zip_durations else 0.0
    figures.zip_median = statistics.median(zip_durations) if zip_durations else 0.0
    first_zip = ItemArchive.objects.filter(item_id=releases[0].pk).first()
    figures.zip_size = (first_zip.file_size if first_zip else 0) / (1 << 20)
    figures.zip_hwm = worker.stop()
    figures.failed = failed_tasks(since)
    out(figures.table())

    # 3. Serving: the gallery page from the page cache, and a rendition through Varnish.
    empty = plain_release(index, padding=0)
    stack.start(
        "web",
        [
            sys.executable, "-m", "gunicorn", "presscentre.wsgi", "-c", "deploy/gunicorn.conf.py",
            "--bind", f"127.0.0.1:{app_port}", "--control-socket", str(stack.log_dir / "gunicorn.ctl"),
        ],
    )  # fmt: skip
    wait_for_health(stack, app_port, log="web")
    wait_for_health(stack, varnish_port)
    gallery_path = url_path_for_site(releases[0])
    page = warm(app_port, gallery_path, timeout=120)
    figures.gallery_bytes = len(page.text.encode())
    padding = figures.gallery_bytes - len(warm(app_port, url_path_for_site(empty)).text.encode())
    plain_path = url_path_for_site(plain_release(index, padding=padding, slug="budget-figures-in-full"))
    figures.plain_bytes = len(warm(app_port, plain_path).text.encode())
    figures.gallery_cache = get(app_port, gallery_path, timeout=30).headers.get("x-page-cache", "")
    figures.rendition_path = rendition_path(page.text, releases[0])
    warm(varnish_port, figures.rendition_path, timeout=60)
    figures.rendition_cache = get(varnish_port, figures.rendition_path).headers.get("x-cache", "")
    out(f"Load: {args.seconds:.0f} s per row ...")
    # Each page three times, in turn, and its best run: the readers share two cores with the servers.
    errors_gallery = errors_plain = 0
    for _ in range(3):
        rate, errors = requests_per_second(app_port, plain_path, seconds=args.seconds)
        figures.plain_rps, errors_plain = max(figures.plain_rps, rate), errors_plain + errors
        rate, errors = requests_per_second(app_port, gallery_path, seconds=args.seconds)
        figures.gallery_rps, errors_gallery = max(figures.gallery_rps, rate), errors_gallery + errors
    figures.rendition_rps, errors_rendition = requests_per_second(
        varnish_port, figures.rendition_path, seconds=args.seconds
    )
    figures.load_errors = errors_gallery + errors_plain + errors_rendition

    lines, passed = figures.verdicts()
    text = figures.table() + "\n\n" + "\n".join(lines) + f"\n\nOverall: **{'PASS' if passed else 'FAIL'}**\n"
    out(text)
    if args.no_write:
        out("Not written (--no-write).")
    else:
        write_results(text, machine=machine_description(varnish=True), started=started, args=args)
        out(f"Written to {RESULTS_FILE.relative_to(REPO)}.")
    return passed


def not_pending(since: datetime) -> bool:
    """Nothing queued or running since `since` (the tasks that failed are counted apart)."""
    from django_tasks_db.models import DBTaskResult

    return not DBTaskResult.objects.filter(enqueued_at__gte=since, status__in=["READY", "RUNNING"]).exists()


def url_path_for_site(page) -> str:
    return page.get_url_parts()[2]


def warm(port: int, path: str, *, timeout: float = 30.0):
    """GET `path` until it answers 200 twice (rendered, then cached); the last response."""
    deadline = time.monotonic() + timeout
    answers = 0
    while time.monotonic() < deadline:
        response = get(port, path, timeout=timeout)
        if response.status == 200:
            answers += 1
            if answers == 2:
                return response
        else:
            time.sleep(0.5)
    raise RuntimeError(f"{path} did not answer 200 on port {port} within {timeout:.0f} s")


def rendition_path(html: str, release) -> str:
    """The first picture of the gallery as the page shows it, or (should the page show none) a rendition of it."""
    found = re.search(r'<img[^>]+src="(/media/images/[^"]+)"', html)
    if found:
        return found.group(1)
    from presscentre.newsroom.models.items import ItemAsset

    image = ItemAsset.objects.filter(item_id=release.pk).select_related("image").first().image
    return image.get_rendition("width-800").url


def forget_cache() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=50, help="releases with a gallery (default 50)")
    parser.add_argument("--per-release", type=int, default=10, help="pictures in each gallery (default 10)")
    parser.add_argument("--seconds", type=float, default=15.0, help="seconds of load per row (default 15)")
    parser.add_argument("--no-write", action="store_true", help="print the table without writing bench/results/")
    parser.add_argument("--keep-logs", action="store_true", help="keep the process logs even when the run passes")
    args = parser.parse_args()
    if not (1 <= args.releases <= 200 and 1 <= args.per_release <= 50 and 1 <= args.seconds <= 300):
        parser.error("keep --releases within 1-200, --per-release within 1-50 and --seconds within 1-300")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    return run_guarded(
        benchmark, args, database=DB_NAME, run_limit=RUN_LIMIT, tmp_prefix="presscentre-media-", forget=forget_cache
    )


if __name__ == "__main__":
    sys.exit(main())
