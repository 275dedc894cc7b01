from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from presscentre.importers.views import ImportView, may_import


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_import(request.user)


@hooks.register("register_admin_urls")
def register_import_url():
    return [path("import-wordpress/", ImportView.as_view(), name="importers_import")]


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem("Import from WordPress", reverse("importers_import"), icon_name="upload", order=9000)
