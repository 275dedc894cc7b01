from wagtail import hooks

from presscentre.comments.admin_views import BULK_ACTIONS, comment_viewset
from presscentre.comments.panels import PendingCommentsPanel


@hooks.register("register_admin_viewset")
def register_comment_viewset():
    return comment_viewset


for bulk_action in BULK_ACTIONS:
    hooks.register("register_bulk_action", bulk_action)


@hooks.register("construct_homepage_panels")
def add_pending_comments_panel(request, panels):
    if PendingCommentsPanel.is_shown_to(request.user):
        panels.append(PendingCommentsPanel())


@hooks.register("register_log_actions")
def register_comment_log_actions(actions):
    actions.register_action(
        "presscentre.comments.export", "Commenter's personal data exported", "Personal data exported"
    )
    actions.register_action("presscentre.comments.erase", "Commenter's personal data erased", "Personal data erased")
