"""The task worker (`manage.py run_worker`) survives its database and gives a dead worker's task to another.

django-tasks-db's own `db_worker` exits on an OperationalError while it claims a task, and again when it cannot
record the failure of a task whose connection was cut, leaving the task RUNNING for ever. These tests run the worker
in this process (the database is the test's own, so they are transactional: the worker's heartbeat thread has a
connection of its own) and, in the last one, as real processes, one of them killed with SIGKILL.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import types
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from presscentre.core import worker as worker_module
from presscentre.core.models import WorkerHeartbeat
from presscentre.core.tests import worker_tasks
from presscentre.core.worker import ResilientWorker, requeue_dead_tasks

REPO = Path(__file__).resolve().parents[3]

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def database_queue(settings):
    """The production queue: tasks are rows in this database, run by the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker(**options) -> None:
    call_command("run_worker", batch=True, startup_delay=False, reload=False, interval=0.05, **options)


def result_of(task_result) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=task_result.id)


@transactional
def test_a_task_that_loses_its_database_connection_runs_again_and_the_worker_carries_on(database_queue, tmp_path):
    cut = worker_tasks.lose_connection_once.enqueue(str(tmp_path / "cut"))
    after = worker_tasks.note_run.enqueue(str(tmp_path / "after"))

    run_worker()

    cut_result = result_of(cut)
    assert (cut_result.status, cut_result.return_value) == (TaskResultStatus.SUCCESSFUL, "ran again")
    assert len(cut_result.worker_ids) == 2  # the run that lost its connection, and the one that finished
    assert result_of(after).status == TaskResultStatus.SUCCESSFUL


@transactional
def test_the_worker_carries_on_when_the_database_refuses_connections_between_tasks(
    database_queue, tmp_path, monkeypatch
):
    queued = worker_tasks.note_run.enqueue(str(tmp_path / "runs"))
    saved = dict(connection.settings_dict)
    waits = []

    def unreachable_database() -> None:
        connection.close()
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = str(tmp_path / "no such folder" / "database.sqlite3")
        else:
            connection.settings_dict["PORT"] = str(closed_port())

    def back_again(seconds: float) -> None:  # the worker's wait after the failure: the database returns
        waits.append(seconds)
        connection.settings_dict.update(saved)

    original_run_once = ResilientWorker.run_once
    calls = []

    def run_once_with_a_cut(self):
        calls.append(1)
        if len(calls) == 1:
            unreachable_database()
        return original_run_once(self)

    monkeypatch.setattr(ResilientWorker, "run_once", run_once_with_a_cut)
    monkeypatch.setattr(worker_module, "time", types.SimpleNamespace(sleep=back_again, monotonic=time.monotonic))
    try:
        run_worker()
    finally:
        connection.settings_dict.update(saved)
        connection.close()

    assert waits[:1] == [1.0]  # it waited and tried again rather than exiting
    assert result_of(queued).status == TaskResultStatus.SUCCESSFUL
    assert (tmp_path / "runs").read_text() == "ran\n"


@transactional
def test_a_task_left_running_by_a_dead_worker_is_queued_again_and_run(database_queue, tmp_path):
    now = timezone.now()
    queued = worker_tasks.note_run.enqueue(str(tmp_path / "runs"))
    DBTaskResult.objects.filter(pk=queued.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["killed-worker"], started_at=now - timedelta(minutes=2)
    )
    WorkerHeartbeat.objects.create(
        worker_id="killed-worker", last_seen=now - timedelta(seconds=61), started_at=now - timedelta(hours=1)
    )

    run_worker()

    result = result_of(queued)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.worker_ids[0] == "killed-worker" and len(result.worker_ids) == 2
    assert not WorkerHeartbeat.objects.filter(worker_id="killed-worker").exists()


@transactional
def test_a_long_task_of_a_live_worker_is_left_alone(database_queue, tmp_path):
    now = timezone.now()
    queued = worker_tasks.note_run.enqueue(str(tmp_path / "runs"))
    DBTaskResult.objects.filter(pk=queued.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["busy-worker"], started_at=now - timedelta(minutes=10)
    )
    WorkerHeartbeat.objects.create(worker_id="busy-worker", last_seen=now - timedelta(seconds=5), started_at=now)

    assert requeue_dead_tasks(at=now) == 0
    assert result_of(queued).status == TaskResultStatus.RUNNING
    # One second past the lease, it is taken for dead.
    assert requeue_dead_tasks(at=now + timedelta(seconds=56)) == 1
    assert result_of(queued).status == TaskResultStatus.READY


@transactional
def test_a_dead_worker_is_announced_once_to_the_hooks(monkeypatch):
    now = timezone.now()
    heard = []
    monkeypatch.setattr(worker_module, "_dead_worker_hooks", [])
    worker_module.register_dead_worker_hook(lambda *, worker_id, at: heard.append((worker_id, at)))
    WorkerHeartbeat.objects.create(worker_id="gone", last_seen=now - timedelta(minutes=5), started_at=now)
    WorkerHeartbeat.objects.create(worker_id="here", last_seen=now, started_at=now)

    requeue_dead_tasks(at=now)
    requeue_dead_tasks(at=now + timedelta(seconds=1))

    assert heard == [("gone", now)]
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["here"]


@transactional
def test_a_running_worker_keeps_its_heartbeat_fresh_and_removes_it_when_it_stops(database_queue, settings):
    settings.PRESSCENTRE_WORKER_HEARTBEAT_SECONDS = 0.2
    worker = ResilientWorker(
        queue_names=["default"],
        interval=0.05,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="beating",
        excluded_queue_names=[],
    )
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        first = wait_for(lambda: WorkerHeartbeat.objects.filter(worker_id="beating").first())
        later = wait_for(
            lambda: WorkerHeartbeat.objects.filter(worker_id="beating", last_seen__gt=first.last_seen).first()
        )
        assert later.pid == os.getpid()
    finally:
        worker.running = False
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert not WorkerHeartbeat.objects.filter(worker_id="beating").exists()


@transactional
def test_a_task_whose_worker_is_killed_is_finished_by_another_worker_within_the_lease(database_queue, tmp_path):
    """Real processes: one worker starts a task and is killed with SIGKILL; the other, already running, finishes
    the task once the killed one has been unseen for the lease (10 s here), with no one pressing anything."""
    marker = tmp_path / "slow"
    queued = worker_tasks.sleep_then_note.enqueue(str(marker), 3)
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")},
        "DATABASE_URL": database_url(),
        "PRESSCENTRE_WORKER_HEARTBEAT_SECONDS": "1",
        "PRESSCENTRE_WORKER_LEASE_SECONDS": "10",
        "DEBUG": "true",
        "SECRET_KEY": "worker-test",
        "ALLOWED_HOSTS": "localhost",
    }
    first = start_worker(env, tmp_path / "first.log")
    second = None
    try:
        wait_for(lambda: marker.exists() and "started" in marker.read_text(), timeout=60)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        second = start_worker(env, tmp_path / "second.log")

        wait_for(lambda: result_of(queued).status == TaskResultStatus.SUCCESSFUL, timeout=60)
        assert time.monotonic() - killed_at < 45, "well within a minute of the kill (lease 10 s)"
        assert marker.read_text() == "started\nstarted\nfinished\n"
        assert second.poll() is None, (tmp_path / "second.log").read_text()
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as output:
        return subprocess.Popen(  # noqa: S603 - fixed argv
            [sys.executable, "manage.py", "run_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def database_url() -> str:
    """The test database, for a child process."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    user = database["USER"] or ""
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    return f"postgres://{user}{password}@{host}/{database['NAME']}"


def wait_for(condition, *, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s")


def closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
