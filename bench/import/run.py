"""WordPress import at scale: how long, and how much memory, does `import_wordpress` take on a big export?

Generates a WXR 1.2 file with 10,000 posts and 50,000 comments (streamed to a temporary file, never held in
memory), imports it into a fresh PostgreSQL database, then imports it again (the idempotent path, which must
change nothing). Each import runs as its own `manage.py import_wordpress` process; its wall time and peak
resident memory (getrusage RUSAGE_CHILDREN of a small wrapper whose only child is the import) are reported
and written as a markdown table to bench/results/import.md. Exits 1 when a run misses the target.

    .venv/bin/python bench/import/run.py                     # or: make bench
    .venv/bin/python bench/import/run.py --posts 500 --comments 2500   # a quick look while developing

The database (presscentre_import) and the temporary folder are dropped at the end.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent.parent
RESULTS_FILE = REPO / "bench" / "results" / "import.md"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "presscentre_import"
TARGET_SECONDS = 120.0
TARGET_MB = 500.0

CATEGORIES = [
    ("press-releases", "Press Releases"),
    ("reports", "Reports"),
    ("economy", "Economy"),
    ("health", "Health"),
]
TAGS = [f"tag-{n}" for n in range(40)]
AUTHORS = [f"author{n}" for n in range(12)]
PARAGRAPH = (
    "The institute's analysis of the figures published today shows that the change will affect households "
    "across the country, with the largest effect on those with the lowest incomes. "
)

# A wrapper process: runs the import as its only child and reports that child's peak memory.
MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[1:])
elapsed = time.perf_counter() - started
print(f"{code} {elapsed:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
"""


def out(line: str = "") -> None:
    print(line, flush=True)


def generate(path: Path, posts: int, comments: int) -> None:
    """Write a WXR file post by post, so the generator's memory stays small however big the file."""
    per_post, extra = divmod(comments, posts)
    start = datetime(2015, 1, 1, 9, 0, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as f:
        f.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "<title>Bench Institute</title><link>https://bench.example.org</link>\n"
            "<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://bench.example.org</wp:base_site_url>\n"
        )
        for login in AUTHORS:
            f.write(
                f"<wp:author><wp:author_login><![CDATA[{login}]]></wp:author_login>"
                f"<wp:author_display_name><![CDATA[{login.title()}]]></wp:author_display_name></wp:author>\n"
            )
        for slug, name in CATEGORIES:
            f.write(
                f"<wp:category><wp:category_nicename>{slug}</wp:category_nicename>"
                f"<wp:cat_name><![CDATA[{name}]]></wp:cat_name></wp:category>\n"
            )
        for tag in TAGS:
            f.write(f"<wp:tag><wp:tag_slug>{tag}</wp:tag_slug><wp:tag_name>{tag}</wp:tag_name></wp:tag>\n")
        comment_id = 0
        for n in range(1, posts + 1):
            at = start + timedelta(hours=n)
            date = at.strftime("%Y-%m-%d %H:%M:%S")
            slug, name = CATEGORIES[n % len(CATEGORIES)]
            content = (
                f"<!-- wp:paragraph -->\n<p>{PARAGRAPH}Post {n}.</p>\n<!-- /wp:paragraph -->\n\n"
                f"<!-- wp:heading -->\n<h2>Findings {n}</h2>\n<!-- /wp:heading -->\n\n"
                f"<!-- wp:list -->\n<ul><li>One</li><li>Two <a href='https://example.org/{n}'>link</a></li></ul>\n"
                "<!-- /wp:list -->\n\n<!-- wp:more --><!--more--><!-- /wp:more -->\n\n"
                f"<p>{PARAGRAPH * 3}</p>"
            )
            f.write(
                f"<item><title>{escape(f'Bench post {n}: a title & more')}</title>"
                f"<link>https://bench.example.org/{at:%Y/%m}/bench-post-{n}/</link>"
                f'<guid isPermaLink="false">https://bench.example.org/?p={n}</guid>'
                f"<dc:creator><![CDATA[{AUTHORS[n % len(AUTHORS)]}]]></dc:creator>"
                f"<content:encoded><![CDATA[{content}]]></content:encoded>"
                "<excerpt:encoded><![CDATA[]]></excerpt:encoded>"
                f"<wp:post_id>{n}</wp:post_id><wp:post_date>{date}</wp:post_date>"
                f"<wp:post_date_gmt>{date}</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>"
                f"<wp:post_name>bench-post-{n}</wp:post_name><wp:status>publish</wp:status>"
                "<wp:post_type>post</wp:post_type>"
                f'<category domain="category" nicename="{slug}"><![CDATA[{name}]]></category>'
                f'<category domain="post_tag" nicename="{TAGS[n % len(TAGS)]}">{TAGS[n % len(TAGS)]}</category>\n'
            )
            first = comment_id + 1
            for k in range(per_post + (1 if n <= extra else 0)):
                comment_id += 1
                parent = first if k % 3 == 2 else 0
                approved = "1" if k % 5 else "0"
                f.write(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author><![CDATA[Reader {comment_id}]]></wp:comment_author>"
                    f"<wp:comment_author_email>reader{comment_id}@example.com</wp:comment_author_email>"
                    f"<wp:comment_author_IP>192.0.2.{comment_id % 250}</wp:comment_author_IP>"
                    f"<wp:comment_date_gmt>{(at + timedelta(minutes=k + 1)):%Y-%m-%d %H:%M:%S}</wp:comment_date_gmt>"
                    f"<wp:comment_content><![CDATA[Comment {comment_id}: thank you for this.]]></wp:comment_content>"
                    f"<wp:comment_approved>{approved}</wp:comment_approved><wp:comment_type>comment</wp:comment_type>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
                )
            f.write("</item>\n")
        f.write("</channel>\n</rss>\n")


def psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def set_up_database(env: dict) -> None:
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    manage(env, "migrate", "--no-input")
    script = (
        "from wagtail.models import Page, Site\n"
        "from presscentre.newsroom.models import PressCentrePage\n"
        "root = Page.get_first_root_node()\n"
        "index = root.add_child(instance=PressCentrePage(title='Press Centre', slug='press-centre'))\n"
        "Site.objects.update(root_page=index)\n"
    )
    manage(env, "shell", "-c", script)


def measured(env: dict, *args: str) -> tuple[float, float, str]:
    """(seconds, peak MB, output) of one `manage.py` process."""
    argv = [sys.executable, "manage.py", *args]
    with tempfile.TemporaryFile("w+") as output:
        result = subprocess.run(  # noqa: S603 - fixed argv
            [sys.executable, "-c", MEASURE, *argv], cwd=REPO, env=env, stdout=output, stderr=subprocess.PIPE, text=True
        )
        output.seek(0)
        lines = output.read().splitlines()
    if result.returncode or not lines or not lines[-1].split()[0] == "0":
        raise SystemExit(f"{args[0]} failed:\n{result.stderr[-3000:]}\n" + "\n".join(lines[-20:]))
    _code, seconds, maxrss_kb = lines[-1].split()
    return float(seconds), int(maxrss_kb) / 1024, "\n".join(lines[:-1])


def verdict(seconds: float, peak_mb: float) -> str:
    return "PASS" if seconds < TARGET_SECONDS and peak_mb < TARGET_MB else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--no-write", action="store_true", help="Print the table only; leave import.md as it is.")
    options = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "false",
    }
    rows = []
    worker = None
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        env["MEDIA_ROOT"] = str(Path(folder) / "media")
        path = Path(folder) / "export.xml"
        started = time.perf_counter()
        generate(path, options.posts, options.comments)
        size_mb = path.stat().st_size / 1024 / 1024
        out(
            f"generated {options.posts:,} posts, {options.comments:,} comments: {size_mb:.1f} MB "
            f"in {time.perf_counter() - started:.1f} s"
        )
        try:
            set_up_database(env)
            for label in ("first import (fresh database)", "second import (idempotent)"):
                seconds, peak_mb, summary = measured(env, "import_wordpress", str(path))
                summary = summary.replace(str(path), path.name)
                out(f"{label}: {seconds:.1f} s, peak {peak_mb:.0f} MB\n{summary}")
                rows.append((label, seconds, peak_mb, summary))
                if not worker:
                    # The first import queued the search indexing of its pages for the worker: time that too.
                    worker = measured(env, "db_worker", "--batch", "--no-startup-delay")
                    out(f"worker indexing: {worker[0]:.1f} s, peak {worker[1]:.0f} MB")
        finally:
            psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    passed = all(verdict(seconds, peak) == "PASS" for _l, seconds, peak, _s in rows)
    table = [
        "# WordPress import benchmark",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at the end), PostgreSQL, DEBUG off. "
        f"File: {options.posts:,} posts, {options.comments:,} comments, {size_mb:.1f} MB. "
        f"Target: under {TARGET_SECONDS:.0f} s and {TARGET_MB:.0f} MB peak per run.",
        "",
        "| run | wall time (s) | peak memory (MB) | result |",
        "| --- | ---: | ---: | --- |",
        *(f"| {label} | {seconds:.1f} | {peak:.0f} | {verdict(seconds, peak)} |" for label, seconds, peak, _s in rows),
        "",
        (
            f"After the first import the task worker (`db_worker --batch`) indexed the new pages for search in "
            f"{worker[0]:.1f} s, peak {worker[1]:.0f} MB (not part of the import's time)."
            if worker
            else ""
        ),
        "",
        "Summary printed by the second run:",
        "",
        "```text",
        rows[-1][3] if rows else "",
        "```",
        "",
    ]
    out("\n".join(table))
    if not options.no_write:
        RESULTS_FILE.write_text("\n".join(table))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
