from django.urls import path

from presscentre.embargo import views

app_name = "embargo"

urlpatterns = [
    path("<str:token>/", views.item_copy, name="link"),
    path("<str:token>/accept-terms/", views.accept_terms, name="accept_terms"),
    path("<str:token>/documents/<int:document_id>/", views.document, name="document"),
    path("<str:token>/embargo.ics", views.calendar, name="calendar"),
    path("<str:token>/release.txt", views.release_text, name="release_text"),
]

# Mounted under /admin/embargo/ by wagtail_hooks.py, in the `embargo_admin` namespace.
admin_urlpatterns = [
    path("items/<int:page_id>/links/", views.access_links, name="links"),
    path("items/<int:page_id>/embargo.ics", views.staff_calendar, name="calendar"),
    path("links/<int:link_id>/revoke/", views.revoke_access_link, name="revoke"),
]
