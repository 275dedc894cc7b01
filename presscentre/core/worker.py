"""The task worker (`manage.py run_worker`): django-tasks-db's queue, run so that neither a lost database connection
nor a dead worker loses a task.

- The loop never ends on an exception (only on Ctrl-C or SIGTERM, as django-tasks-db's own worker): the error is
  logged, the connections are closed and the loop carries on after 1, 2, 4 ... 30 s.
- A task that lost its database connection, or that ran when the database vanished, runs again: at once, then after
  a growing delay, at most `CONNECTION_RETRIES` runs in all. Its outcome is written once the database answers
  again, and only while the run is still this worker's (the row is still RUNNING from this claim).
- Each worker records a heartbeat every PRESSCENTRE_WORKER_HEARTBEAT_SECONDS from a thread of its own. A task
  RUNNING whose worker has not been seen for PRESSCENTRE_WORKER_LEASE_SECONDS (killed, frozen, its machine gone) is
  put back in the queue by any live worker. So every task must be safe to run again (docs/deploy.md says how ours
  are).

The apps plug in without this module importing them: `register_chore` adds a periodic job to every worker (it must
be quick: queue work, do not do it), `register_dead_worker_hook` learns that a worker was taken for dead before its
tasks go back in the queue, and `current_worker_id()` with `live_worker_ids()` let a claim name its worker.
"""

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connections, transaction
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

logger = logging.getLogger(__name__)

# Runs in all of a task that keeps losing its database connection, before it is marked failed.
CONNECTION_RETRIES = 10
# The longest wait between two tries of the loop, or of writing a task's outcome, while the database is away.
LONGEST_BACKOFF = 30.0


def heartbeat_interval() -> timedelta:
    return timedelta(seconds=getattr(settings, "PRESSCENTRE_WORKER_HEARTBEAT_SECONDS", 5))


def lease() -> timedelta:
    """How long a worker may go unseen before its running task is given to another."""
    return timedelta(seconds=getattr(settings, "PRESSCENTRE_WORKER_LEASE_SECONDS", 60))


def backoff(failures: int) -> float:
    """Seconds to wait after `failures` failures in a row: 1, 2, 4, 8, 16, then 30."""
    return min(LONGEST_BACKOFF, 2.0 ** max(failures - 1, 0))


def rerun_delay(runs: int) -> timedelta:
    """When a task cut off by a lost connection after `runs` runs goes again: at once (the worker has reconnected),
    then after 10 s, 1 min, 5 min, ..."""
    steps = (0, 10, 60, 300)
    return timedelta(seconds=steps[min(runs - 1, len(steps) - 1)] if runs >= 1 else 0)


# -- what the apps plug in -------------------------------------------------------------------------------------


@dataclass
class Chore:
    name: str
    run: Callable[..., object]
    every: timedelta


_chores: dict[str, Chore] = {}
_dead_worker_hooks: list[Callable[..., object]] = []
_current_worker_id: str | None = None


def register_chore(name: str, run: Callable[..., object], *, every: timedelta) -> None:
    """Have every worker call `run(at=<now>)` about every `every`, from its heartbeat thread (and once at start).

    A chore must be quick and safe to run in several workers at once: it queues work, it does not do it.
    """
    _chores[name] = Chore(name=name, run=run, every=every)


def register_dead_worker_hook(hook: Callable[..., object]) -> None:
    """Have `hook(worker_id=..., at=...)` called once when a worker is taken for dead, in the transaction that
    removes its heartbeat and before its running tasks go back in the queue (e.g. to release what it had claimed)."""
    if hook not in _dead_worker_hooks:
        _dead_worker_hooks.append(hook)


def current_worker_id() -> str | None:
    """The id of the worker running in this process (None outside `run_worker`)."""
    return _current_worker_id


def live_worker_ids(*, at: datetime) -> set[str]:
    """Workers seen within the lease before `at`."""
    from presscentre.core.models import WorkerHeartbeat

    return set(WorkerHeartbeat.objects.filter(last_seen__gte=at - lease()).values_list("worker_id", flat=True))


def enqueue_with_transaction(task, *args, **kwargs) -> None:
    """Queue `task` as part of the current transaction when the queue is this database's own table, so that the
    task's row commits or rolls back with the change that made it (an outbox); with any other backend (the
    immediate one in tests), once the transaction commits."""
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs), robust=True)


# -- heartbeats and the dead ----------------------------------------------------------------------------------


def beat(worker_id: str, *, at: datetime, started_at: datetime) -> bool:
    """Record that `worker_id` is alive at `at`. False when it had no heartbeat row (its first beat, or another
    worker took it for dead and removed the row)."""
    from presscentre.core.models import WorkerHeartbeat

    if WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=at):
        return True
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"last_seen": at, "started_at": started_at, "host": socket.gethostname()[:255], "pid": os.getpid()},
    )
    return False


def requeue_dead_tasks(*, at: datetime, backend_name: str | None = None) -> int:
    """Put back in the queue every task RUNNING since before the lease whose worker has not been seen within it;
    returns how many. Safe in several workers at once: each worker's death and each task is taken by one."""
    from presscentre.core.models import WorkerHeartbeat

    cutoff = at - lease()
    for worker_id in WorkerHeartbeat.objects.filter(last_seen__lt=cutoff).values_list("worker_id", flat=True):
        with transaction.atomic():
            if not WorkerHeartbeat.objects.filter(worker_id=worker_id, last_seen__lt=cutoff).delete()[0]:
                continue  # it beat again, or another worker took it
            logger.warning("Worker %s has not been seen for %s: taken for dead", worker_id, lease())
            for hook in _dead_worker_hooks:
                try:
                    with transaction.atomic():
                        hook(worker_id=worker_id, at=at)
                except Exception:
                    logger.exception("The dead-worker hook %r failed for worker %s", hook, worker_id)
    live = live_worker_ids(at=at)
    stuck = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    if backend_name is not None:
        stuck = stuck.filter(backend_name=backend_name)
    requeued = 0
    for result in stuck.only("id", "task_path", "worker_ids", "started_at"):
        if result.worker_ids and result.worker_ids[-1] in live:
            continue  # a long task of a live worker
        put_back = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        ).update(status=TaskResultStatus.READY)
        if put_back:
            requeued += 1
            logger.warning(
                "Task id=%s path=%s was running on worker %s, which is gone: queued again",
                result.pk,
                result.task_path,
                result.worker_ids[-1] if result.worker_ids else "?",
            )
    return requeued


def drop_connections() -> None:
    """Close this thread's database connections, so the next query opens a fresh one (after a cut, a restart).

    A connection inside a transaction is left to the code that opened the transaction (a test's, say)."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            continue
        try:
            connection.close()
        except Exception:
            connection.connection = None  # closing a dead connection can fail: forget it all the same


def _connections_usable() -> bool:
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:
            return False
    return True


# -- the worker -----------------------------------------------------------------------------------------------


class ResilientWorker(Worker):
    """django-tasks-db's worker, with a loop that survives the database, heartbeats, and a second chance for tasks
    that lost their connection or their worker."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.started_at = timezone.now()
        self._seen = False
        self._next_run: dict[str, float] = {}

    def run(self) -> None:
        global _current_worker_id
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        _current_worker_id = self.worker_id
        heartbeat = _Heartbeat(self)
        try:
            if self.startup_delay and self.interval:
                time.sleep(random.random())  # noqa: S311 (spreads workers started together, as db_worker does)
            self.tend(at=timezone.now())  # a first heartbeat, and what a dead predecessor left, before any claim
            heartbeat.start()
            failures = 0
            while self.running:
                try:
                    finished = self.run_once()
                except Exception:
                    failures += 1
                    delay = backoff(failures)
                    logger.exception("The worker's loop failed (%d in a row); trying again in %.0f s", failures, delay)
                    drop_connections()
                    if self.running:
                        time.sleep(delay)
                    continue
                failures = 0
                if finished:
                    return
        finally:
            heartbeat.stop()
            self.leave()
            _current_worker_id = None

    def run_once(self) -> bool:
        """Claim and run one task (or wait the interval when none is ready); True when the worker should stop."""
        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)

        task_result = None
        retrieved = False
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)  # so no other worker runs it
                retrieved = True
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise
                task_result = None  # SQLite is busy with another process: try again after the interval

        if task_result is not None:
            self.run_task(task_result)
        if self.batch and retrieved and task_result is None:
            logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
            return True
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            logger.info("Ran the maximum of %d tasks on worker_id=%s - exiting.", self._run_tasks, self.worker_id)
            return True
        close_old_connections()
        if self.running and task_result is None:
            time.sleep(self.interval)
        return False

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            self.running_task = True
            value, error = self._call(db_task_result)
            self._record(db_task_result, value, error)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _call(self, db_task_result: DBTaskResult) -> tuple[object, Exception | None]:
        # Ctrl-C and SIGTERM (SystemExit) pass through: the task stays RUNNING and goes back in the queue once the
        # lease expires, rather than being marked failed for a stop it did not cause.
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            task_started.send(sender=type(task.get_backend()), task_result=task_result)
            if task.takes_context:
                context = TaskContext(task_result=task_result)
                return task.call(context, *task_result.args, **task_result.kwargs), None
            return task.call(*task_result.args, **task_result.kwargs), None
        except Exception as error:
            return None, error

    def _record(self, db_task_result: DBTaskResult, value: object, error: Exception | None) -> None:
        runs = len(db_task_result.worker_ids)
        now = timezone.now()
        if error is None:
            fields = _successful(value, at=now)
        elif _connection_lost(error) and runs < CONNECTION_RETRIES:
            fields = {"status": TaskResultStatus.READY, "run_after": now + rerun_delay(runs)}
            logger.warning(
                "Task id=%s path=%s lost its database connection (%s: %s); it runs again at %s",
                db_task_result.pk,
                db_task_result.task_path,
                type(error).__name__,
                error,
                fields["run_after"].isoformat(),
            )
            drop_connections()
        else:
            fields = _failed(error, at=now)
        # Only this claim's run: if the lease expired meanwhile, the task belongs to whoever runs it now.
        ours = DBTaskResult.objects.filter(
            pk=db_task_result.pk, status=TaskResultStatus.RUNNING, started_at=db_task_result.started_at
        )
        failures = 0
        while True:
            try:
                written = ours.update(**fields)
                break
            except (TypeError, ValueError) as unstorable:
                if error is not None:
                    raise
                error = unstorable  # a return value JSON cannot hold fails the task, as in db_worker
                fields = _failed(error, at=now)
            except DatabaseError:
                failures += 1
                drop_connections()
                if not self.running:
                    logger.error("Stopping without the outcome of task id=%s: it runs again", db_task_result.pk)
                    return
                delay = backoff(failures)
                logger.warning(
                    "Could not write the outcome of task id=%s (%d tries); trying again in %.0f s",
                    db_task_result.pk,
                    failures,
                    delay,
                    exc_info=True,
                )
                time.sleep(delay)
        if not written:
            logger.warning(
                "Task id=%s was given to another worker while this one ran it (its heartbeat lapsed); "
                "this run's outcome is not recorded",
                db_task_result.pk,
            )
            return
        if fields["status"] == TaskResultStatus.READY:
            return
        for name, stored in fields.items():
            setattr(db_task_result, name, stored)
        if error is not None:
            logger.error("Task id=%s path=%s failed", db_task_result.pk, db_task_result.task_path, exc_info=error)
        try:
            task_finished.send(sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result)
        except Exception:
            logger.exception("Task id=%s finished, but telling its listeners failed", db_task_result.pk)

    def tend(self, *, at: datetime) -> None:
        """The heartbeat's round: say this worker is alive, give dead workers' tasks to the queue, run due chores.
        Never raises: a failure is logged and the next round tries again."""
        try:
            alive = beat(self.worker_id, at=at, started_at=self.started_at)
            if not alive and self._seen:
                logger.error(
                    "Worker %s was taken for dead (unseen for the lease); a task it was running may run again",
                    self.worker_id,
                )
            self._seen = True
        except Exception:
            logger.warning("Worker %s could not record its heartbeat", self.worker_id, exc_info=True)
            drop_connections()
            return  # the database is away: the rest would fail too
        chores = [Chore("requeue dead workers' tasks", self._requeue_dead, heartbeat_interval() * 3)]
        for chore in chores + list(_chores.values()):
            if time.monotonic() < self._next_run.get(chore.name, 0.0):
                continue
            self._next_run[chore.name] = time.monotonic() + chore.every.total_seconds()
            try:
                chore.run(at=at)
            except Exception:
                logger.exception("The worker's chore %r failed", chore.name)
                drop_connections()

    def _requeue_dead(self, *, at: datetime) -> None:
        requeue_dead_tasks(at=at, backend_name=self.backend_name)

    def leave(self) -> None:
        """Remove this worker's heartbeat on the way out (if the database answers), so no one waits for it."""
        from presscentre.core.models import WorkerHeartbeat

        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:
            logger.warning("Worker %s left without removing its heartbeat", self.worker_id, exc_info=True)


def _successful(value: object, *, at: datetime) -> dict:
    return {
        "status": TaskResultStatus.SUCCESSFUL,
        "finished_at": at,
        "return_value": value,
        "exception_class_path": "",
        "traceback": "",
    }


def _failed(error: BaseException, *, at: datetime) -> dict:
    from traceback import format_exception

    return {
        "status": TaskResultStatus.FAILED,
        "finished_at": at,
        "return_value": None,
        "exception_class_path": f"{type(error).__module__}.{type(error).__qualname__}",
        "traceback": "".join(format_exception(error)),
    }


def _connection_lost(error: Exception) -> bool:
    """Did the task fail because its database went away (rather than for a reason that would recur)?"""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return not _connections_usable()


class _Heartbeat(threading.Thread):
    """The worker's heartbeat and chores, on a thread (and a database connection) of their own, so that a long task
    does not make its worker look dead."""

    def __init__(self, worker: ResilientWorker):
        super().__init__(name=f"heartbeat-{worker.worker_id}", daemon=True)
        self.worker = worker
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(heartbeat_interval().total_seconds()):
                self.worker.tend(at=timezone.now())
                try:
                    close_old_connections()
                except Exception:
                    drop_connections()
        finally:
            drop_connections()

    def stop(self) -> None:
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=heartbeat_interval().total_seconds() + 10)
