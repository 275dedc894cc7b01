"""Signals of the visibility rule, for the apps above this one."""

from django.dispatch import Signal

# An item became public at `at` (kwargs: item, at): published with no embargo still running, or its embargo lifted.
# Sent inside the transaction that made it so, never earlier; a receiver writes what it needs (an outbox row, a
# queued task) in a savepoint of its own, and an error in one receiver is logged and never undoes the lift or the
# publish. It may be sent again for the same item (a republish): receivers keep it to once.
item_made_public = Signal()
