"""Dashboard panels for the press office's morning check: embargoes about to lift, and who opened their link.

Each panel is built for one user at one instant (`at`), so what it shows can be tested at a fixed time; the
hooks in wagtail_hooks.py build them with the clock. Both show only items the user may edit, as the journalist
links screen does, and run a fixed number of queries however many rows there are.
"""

import zoneinfo
from datetime import datetime, timedelta

from django.db.models import Subquery
from wagtail.models import Page
from wagtail.permissions import policy_registry

from presscentre.core.panels import DashboardPanel
from presscentre.embargo.models import AccessLogEntry
from presscentre.embargo.services import due_for_lift

LIFT_WINDOW = timedelta(days=7)
ACTIVITY_WINDOW = timedelta(hours=24)
EDIT_ACTIONS = {"add", "change", "publish"}  # "add" alone lets an author edit their own items


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def countdown(until: datetime, *, at: datetime) -> str:
    """'in 2 days 3 hours', 'in 14 minutes', 'in less than a minute'; '' once `until` has come.

    The two largest units only: a press officer reading the dashboard wants the order of magnitude, and the
    inline script on the panel rewrites the same words every half minute.
    """
    seconds = int((until - at).total_seconds())
    if seconds <= 0:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        parts = [_plural(days, "day")] + ([_plural(hours, "hour")] if hours else [])
    elif hours:
        parts = [_plural(hours, "hour")] + ([_plural(minutes, "minute")] if minutes else [])
    elif minutes:
        parts = [_plural(minutes, "minute")]
    else:
        return "in less than a minute"
    return "in " + " ".join(parts)


def lift_instant(item) -> str:
    """'09:00 GMT, Monday 2 March 2030': the lift in the embargo's own zone, with the zone's abbreviation."""
    local = item.embargo_until.astimezone(zoneinfo.ZoneInfo(item.embargo_time_zone))
    return f"{local:%H:%M} {local.tzname()}, {local:%A} {local.day} {local:%B %Y}"


def _page_policy():
    return policy_registry.get_by_type(Page)


def may_edit_items(user) -> bool:
    """Does `user` edit any items at all (press officers, administrators, authors for their own)?"""
    return _page_policy().user_has_any_permission(user, EDIT_ACTIONS)


def _editable_page_ids(user):
    return Subquery(_page_policy().instances_user_has_any_permission_for(user, EDIT_ACTIONS).values("pk"))


class UpcomingLiftsPanel(DashboardPanel):
    """Live items whose embargo lifts within the next 7 days, soonest first; overdue lifts flagged at the top."""

    name = "upcoming_lifts"
    template_name = "embargo/admin/dashboard_lifts.html"
    order = 100
    limit = 20

    @classmethod
    def is_shown_to(cls, user) -> bool:
        return may_edit_items(user)

    def get_context_data(self, parent_context=None):
        # The lift's own rule: live, not lifted, instant reached by the end of the window. Those already
        # reached are the overdue ones the worker has not lifted yet.
        items = list(
            due_for_lift(self.at + LIFT_WINDOW)
            .filter(pk__in=_editable_page_ids(self.user))
            .order_by("embargo_until", "pk")
            .only("pk", "title", "draft_title", "embargo_until", "embargo_time_zone", "live", "embargo_lifted_at")[
                : self.limit + 1
            ]
        )
        rows = [
            {
                "item": item,
                "lift": lift_instant(item),
                "countdown": countdown(item.embargo_until, at=self.at),
                "overdue": item.embargo_until <= self.at,
            }
            for item in items[: self.limit]
        ]
        return {"rows": rows, "more": len(items) > self.limit, "at": self.at}


class LinkActivityPanel(DashboardPanel):
    """What journalists opened or downloaded through their personal links in the last 24 hours, newest first.

    Names and outlets are personal data: this is a staff screen behind the admin login, like the links screen.
    """

    name = "journalist_link_activity"
    template_name = "embargo/admin/dashboard_link_activity.html"
    order = 120
    limit = 15

    @classmethod
    def is_shown_to(cls, user) -> bool:
        return may_edit_items(user)

    def get_context_data(self, parent_context=None):
        entries = list(
            AccessLogEntry.objects.filter(
                at__gt=self.at - ACTIVITY_WINDOW, at__lte=self.at, link__item__in=_editable_page_ids(self.user)
            )
            .select_related("link", "link__item", "document")
            .order_by("-at", "-pk")[: self.limit + 1]
        )
        return {"entries": entries[: self.limit], "more": len(entries) > self.limit, "at": self.at}
