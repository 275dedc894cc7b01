"""Signals of the newsroom, for the apps above it."""

from django.dispatch import Signal

# Sent (kwargs: item) when the demo (`load_demo_data --embargo-in`) embargoes its release again for another rehearsal
# of a lift, before publishing it: an app above that keeps something once per item (an alert) may forget it, so that
# the next lift shows it again. Only the demo sends it.
demo_embargo_moved = Signal()
