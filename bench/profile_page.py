"""Profile cold pages in-process: time, query count, the slowest queries and a pyinstrument call tree.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/presscentre_bench_archive \\
        .venv/bin/python bench/profile_page.py / /category/economy-11/ "/search/?q=economy" [--tree]

Runs with DEBUG off, the page cache off and Redis (REDIS_URL, default database 10) as the shared cache: what the
"cold" rows of bench/load.py measure. After one warm-up request per page, so that per-process caches (content
types, site root paths, templates, the site memory) are as in a running server. Reads only; point it at the
database bench/generate.py made.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", help="URL paths, e.g. / or /feed/")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per path (default 20)")
    parser.add_argument("--tree", action="store_true", help="print pyinstrument's call tree for each path")
    args = parser.parse_args()

    os.environ.update(
        DEBUG="false",
        PRESSCENTRE_PAGE_CACHE="false",
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "profile-only-" + "x" * 50,
        LOG_LEVEL="WARNING",
    )
    # As bench/load.py's servers: Redis as the shared cache, so the site memory is on (core/site_memo.py).
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/10")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presscentre.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    # With DEBUG off pages link hashed static files: collect them first (into STATIC_ROOT, as a deployment does).
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    for path in args.paths:
        first = client.get(path)
        timings, cpu = [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.thread_time()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        slowest = sorted(queries.captured_queries, key=lambda query: -float(query["time"]))[:3]
        print(
            f"{path}: {first.status_code}, median {statistics.median(timings):.1f} ms over {args.repeat} "
            f"(Python CPU {statistics.median(cpu):.1f} ms, the rest waiting on PostgreSQL), "
            f"{len(queries.captured_queries)} queries"
        )
        for query in slowest:
            print(f"    {float(query['time']) * 1000:6.1f} ms  {query['sql'][:160]}")
        if args.tree:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(5):
                client.get(path)
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
