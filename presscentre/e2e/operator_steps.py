"""What the worker does between browser steps: bring an embargo forward to a moment from now, then lift it."""

import time
from datetime import timedelta

from django.utils import timezone


def lift_now(release) -> None:
    """Move `release`'s embargo to one second from now, wait for that instant to pass, and run the lift."""
    from presscentre.embargo.services import lift_due_embargoes

    lifts_at = timezone.now() + timedelta(seconds=1)
    type(release).objects.filter(pk=release.pk).update(embargo_until=lifts_at, published_at=lifts_at)
    time.sleep(max(0.0, (lifts_at - timezone.now()).total_seconds()) + 0.05)
    assert lift_due_embargoes(at=timezone.now()) == 1
