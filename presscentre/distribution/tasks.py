from datetime import timedelta

from django.utils import timezone
from django_tasks import task

# Below the default priority, so a lift due in the middle of a big send is picked up first.
PRIORITY = -10
# One run sends for at most this long, then queues its continuation: a single worker stays free for lifts.
RUN_BUDGET = timedelta(seconds=15)


@task(priority=PRIORITY)
def send_distribution_task(distribution_id: int, run: str = "") -> dict:
    """Send what is due of one distribution and queue the next run if more remains (retries, a big list).

    Before sending, a run queues its successor for after its budget and half a lease, so that a run whose worker
    dies is followed all the same; a run that ends normally passes the send on to a sooner continuation, and the
    successor it had queued then finds its place taken and does nothing (services.follow_up_sending). Safe to run
    twice: the sending itself is at most once per recipient.
    """
    from presscentre.distribution.sending import run_distribution
    from presscentre.distribution.services import follow_up_sending, queue_sending

    if not send_distribution_task.get_backend().supports_defer:
        # A backend that cannot queue a run for later (the immediate one) sends everything in one run.
        result = run_distribution(distribution_id, clock=timezone.now)
    else:
        token = follow_up_sending(distribution_id, run=run, at=timezone.now())
        if token is None:
            return {"superseded": True}
        result = run_distribution(distribution_id, clock=timezone.now, budget=RUN_BUDGET)
        if result.run_again_at is not None:
            queue_sending(distribution_id, at=result.run_again_at, after=token)
    return {"sent": result.sent, "failed": result.failed, "retrying": result.retrying, "finished": result.finished}
