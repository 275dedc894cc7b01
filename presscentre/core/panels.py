"""The shape of the press office's dashboard panels, which several apps add to Wagtail's home page."""

from datetime import datetime

from wagtail.admin.ui.components import Component


class DashboardPanel(Component):
    """A home-page panel built for one user at one instant, so what it shows can be tested at a fixed time.

    The app's `construct_homepage_panels` hook builds it with the clock, and only for a user `is_shown_to` allows.
    """

    def __init__(self, user, *, at: datetime):
        self.user = user
        self.at = at

    @classmethod
    def is_shown_to(cls, user) -> bool:
        """Who sees the panel: nobody unless the panel says so (each names the permission its rows need)."""
        return False
