"""Tasks the worker tests queue (a task is found by its import path, so they live in a module of their own)."""

import time
from pathlib import Path

from django.db import connection
from django_tasks import task


@task()
def note_run(marker: str) -> str:
    """Append a line to `marker` per run, so a test can count runs."""
    with Path(marker).open("a") as file:
        file.write("ran\n")
    return "ran"


@task()
def lose_connection_once(marker: str) -> str:
    """On its first run, lose the database connection as a cut or a server restart would, then use it."""
    path = Path(marker)
    if path.exists():
        return "ran again"
    path.write_text("cut")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    else:
        connection.ensure_connection()
        connection.connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "not reached"


@task()
def sleep_then_note(marker: str, seconds: float) -> str:
    """Say it started, sleep, then say it finished (a worker can be killed in between)."""
    path = Path(marker)
    with path.open("a") as file:
        file.write("started\n")
    time.sleep(seconds)
    with path.open("a") as file:
        file.write("finished\n")
    return "finished"
