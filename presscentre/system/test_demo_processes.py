"""The demo's processes share one page cache: a lift made by another process reaches the web server's pages.

`make demo` runs the web server, the worker and the embargo sweep as separate processes on SQLite without
Redis, and README's lift demonstration moves the embargo from yet another one (`load_demo_data --embargo-in`).
With a per-process cache, neither that move nor the lift could purge what the web server keeps, so `/` and
`/feed/` stayed stale for most of the page cache's lifetime (600 s) after the lift. This test runs the same
processes with the demo's cache settings (no REDIS_URL, its own SQLite file and media folder, whatever database
the suite itself uses) and watches the release appear on both without anyone requesting its page.

It takes about half a minute: a fresh migrate, the demo content, then a ten-second embargo.
"""

import html
import os
import re
import socket
import sqlite3
import time
from datetime import datetime

from presscentre.system.processes import Stack, get, manage, wait_until_answering

EMBARGO_SECONDS = 10  # the least `--embargo-in` accepts
PAGE_CACHE_SECONDS = 600  # the demo's PRESSCENTRE_PAGE_CACHE_SECONDS: a stale page would wait this long
APPEARS_WITHIN = 10.0  # seconds after the instant; generous for a loaded machine, far below the lifetime
LISTINGS = ("/", "/feed/")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo_env(folder) -> dict[str, str]:
    """The environment `make demo` runs in, on a database and media folder of the test's own."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "REDIS_URL": "",
        "MEDIA_ROOT": str(folder / "media"),
        "PRESSCENTRE_PAGE_CACHE": "true",
        "PRESSCENTRE_PAGE_CACHE_SECONDS": str(PAGE_CACHE_SECONDS),
        "PRESSCENTRE_VARNISH_URL": "",
        "LOG_LEVEL": "WARNING",
    }


def release_title(database, path: str) -> str:
    slug = path.strip("/").rsplit("/", 1)[-1]
    with sqlite3.connect(database) as connection:
        ((title,),) = connection.execute("SELECT title FROM wagtailcore_page WHERE slug = ?", [slug]).fetchall()
    return title


def test_a_lift_by_another_process_reaches_the_web_servers_listings_without_the_item_being_requested(tmp_path):
    stack = Stack(tmp_path, demo_env(tmp_path))
    port = free_port()
    try:
        stack.run("migrate", manage("migrate", "--no-input", "-v0"))
        stack.run("load_demo_data", manage("load_demo_data"))
        stack.start("web", manage("runserver", f"127.0.0.1:{port}", "--noreload"))
        wait_until_answering(stack, port, "/healthz")

        # A reader has seen the listings before the embargo moves: the web server keeps both. (On fresh demo
        # content a listing's second request can still be a miss, so it is asked a few times.)
        for path in LISTINGS:
            states = [get(port, path).headers.get("x-page-cache") for _ in range(4)]
            assert states[-1] == "hit", (path, states)

        # README's demonstration, from another process: move the embargo, then let the sweep lift it.
        moved = stack.run("embargo", manage("load_demo_data", "--embargo-in", str(EMBARGO_SECONDS)))
        instant_text, item_path = re.search(r"Embargoed until (\S+): https?://[^/]+(/\S*)", moved).groups()
        instant = datetime.fromisoformat(instant_text).timestamp()
        title = release_title(tmp_path / "db.sqlite3", item_path)
        stack.start("sweep", manage("lift_due_embargoes", "--every", "1"))

        first_seen: dict[str, float] = {}
        leaks: list[tuple[str, float]] = []
        while len(first_seen) < len(LISTINGS) and time.time() < instant + 30:
            stack.check_alive()
            for path in set(LISTINGS) - set(first_seen):
                response = get(port, path)
                seen_at = time.time()
                if response.status == 200 and title in html.unescape(response.text):
                    if seen_at < instant:
                        leaks.append((path, round(seen_at - instant, 3)))
                    else:
                        first_seen[path] = round(seen_at - instant, 3)
            time.sleep(0.05)

        assert not leaks, f"shown before the instant: {leaks}"
        assert set(first_seen) == set(LISTINGS), (
            f"still stale 30 s after the lift (seen: {first_seen})\n{stack.tails()}"
        )
        late = {path: delay for path, delay in first_seen.items() if delay > APPEARS_WITHIN}
        assert not late, f"seconds after the instant until the release showed: {first_seen}"
        # Nothing but the listings was asked for: the item page did not refresh anything by being requested.
        requested = (tmp_path / "web.log").read_text(errors="replace")
        assert f"GET {item_path}" not in requested
        assert "GET / " in requested  # the web server's request log is there to be checked
    finally:
        stack.stop()
