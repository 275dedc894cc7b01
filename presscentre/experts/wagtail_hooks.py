from wagtail import hooks
from wagtail.permissions import register_permission_policy

from presscentre.experts.admin_views import InterviewRequestPermissionPolicy, InterviewRequestViewSet
from presscentre.experts.models import InterviewRequest

# Before any admin code asks for the policy (Wagtail would otherwise make a plain model policy).
register_permission_policy(InterviewRequest, InterviewRequestPermissionPolicy(InterviewRequest))


@hooks.register("register_admin_viewset")
def register_interview_requests():
    return InterviewRequestViewSet()
