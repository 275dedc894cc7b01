"""The dashboard panel for comments waiting for a moderator: how many, and the newest few."""

from django.urls import reverse
from wagtail.admin.ui.components import Component

from presscentre.comments.admin_views import MODERATE
from presscentre.comments.models import Comment


class PendingCommentsPanel(Component):
    """The number of comments awaiting moderation and the newest five, linking to the moderation queue."""

    name = "pending_comments"
    template_name = "comments/admin/dashboard_pending.html"
    order = 130
    newest = 5

    @classmethod
    def is_shown_to(cls, user) -> bool:
        return user.has_perm(MODERATE)

    def get_context_data(self, parent_context=None):
        pending = Comment.objects.pending()
        return {
            "count": pending.count(),
            "comments": list(pending.select_related("item").order_by("-created_at", "-pk")[: self.newest]),
            "queue_url": f"{reverse('comments_admin:index')}?status={Comment.Status.PENDING}",
        }
