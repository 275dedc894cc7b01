"""The press office's inbox of interview requests in the Wagtail admin: list (unhandled first, filter by handled),
inspect, and mark handled (or not) from the edit screen, which shows only that switch. Nobody adds a request by
hand: they come from journalists."""

from django.utils import timezone
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from presscentre.experts.models import InterviewRequest


class InterviewRequestPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action == "add":
            return False
        return super().user_has_permission(user, action)


class InterviewRequestEditView(generic.EditView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        if instance.handled and instance.handled_at is None:
            instance.handled_at = timezone.now()
        elif not instance.handled:
            instance.handled_at = None
        instance.save(update_fields=["handled", "handled_at"])
        self.has_content_changes = self.form.has_changed()
        return instance


class InterviewRequestViewSet(ModelViewSet):
    model = InterviewRequest
    name = "interview_requests"
    url_prefix = "interview-requests"
    icon = "mail"
    menu_label = "Interview requests"
    menu_order = 320
    add_to_admin_menu = True
    inspect_view_enabled = True
    edit_view_class = InterviewRequestEditView
    form_fields = ["handled"]
    list_display = ["expert_name", "name", "outlet", "deadline", "created_at", "handled"]
    list_filter = ["handled"]
    inspect_view_fields = [
        "expert_name",
        "name",
        "outlet",
        "email",
        "phone",
        "deadline",
        "message",
        "created_at",
        "handled",
        "handled_at",
    ]
    ordering = ["handled", "-created_at"]
