from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents.views import serve as serve_document

from presscentre.core import security
from presscentre.core import views as core_views
from presscentre.mediakit.views import image_file as serve_image_file
from presscentre.pagecache.documents import shared_download

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document URL takes any run of digits; one too long for a database id is a 404, not an error.
    re_path(r"^documents/\d{19,}/", security.no_such_object),
    # Wagtail's document URLs, the download wrapped so that a public one tells shared caches its lifetime and tags.
    re_path(r"^documents/(\d+)/(.*)$", shared_download(serve_document.serve), name="wagtaildocs_serve"),
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        serve_document.authenticate_with_password,
        name="wagtaildocs_authenticate_with_password",
    ),
    path("", include("presscentre.syndication.feed_urls")),
    path("", include("presscentre.syndication.sitemap_urls")),
    path("", include("presscentre.syndication.search_urls")),
    path("", include("presscentre.newsroom.branding_urls")),
    path("api/v2/", include("presscentre.syndication.api_urls")),
    # A journalist's link to an embargoed item's images, downloads and ZIP (mediakit), then to the item itself.
    path("embargoed/", include("presscentre.mediakit.link_urls")),
    path("embargoed/", include("presscentre.embargo.urls")),
    path("comments/", include("presscentre.comments.urls")),
    path("distribution/", include("presscentre.distribution.urls")),
    path("subscribe/", include("presscentre.alerts.urls")),
    path("experts/request/", include("presscentre.experts.urls")),
    path("", include("presscentre.mediakit.urls")),
    # Image files and Wagtail's renditions, always through the embargo rule (never straight from a folder or bucket).
    re_path(r"^media/(?P<directory>original_images|images)/(?P<name>[^/]+)$", serve_image_file, name="image_file"),
]

urlpatterns += [path("", include(wagtail_urls))]
