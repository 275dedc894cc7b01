from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permission_policies.pages import PagePermissionPolicy

from presscentre.importers.forms import ImportForm
from presscentre.importers.services.run import import_uploaded_file, item_type
from presscentre.importers.wxr import WXRError


def may_import(user) -> bool:
    """Importing publishes items, so it is for those who may publish pages: press officers and administrators."""
    return PagePermissionPolicy().user_has_permission(user, "publish")


class ImportView(WagtailAdminTemplateMixin, FormView):
    """Upload a WXR export, dry run or import it, and see the same summary as the command prints."""

    form_class = ImportForm
    template_name = "importers/import.html"
    page_title = "Import from WordPress"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not may_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            summary = import_uploaded_file(
                data["file"],
                parent=data["parent"],
                default_type=item_type(data["default_type"]),
                dry_run=data["mode"] == "dry_run",
                at=timezone.now(),
            )
        except WXRError as error:
            form.add_error("file", f"Refused, nothing imported: {error}")
            return self.form_invalid(form)
        fresh = self.get_form_class()(user=self.request.user)
        return self.render_to_response(self.get_context_data(form=fresh, summary=summary))
