"""The media of an embargoed item through a journalist's personal link, mounted under /embargoed/ before the embargo
app's own routes. The journalist's copy sends its image, download and ZIP addresses here (the prefixes this app
registers with the embargo app in `apps.py`)."""

from django.urls import path, re_path

from presscentre.mediakit import views

app_name = "mediakit_link"

urlpatterns = [
    re_path(
        r"^(?P<token>[^/]+)/media/(?P<directory>original_images|images)/(?P<name>[^/]+)$",
        views.link_image_file,
        name="image_file",
    ),
    path("<str:token>/downloads/images/<int:image_id>/<str:size>/", views.link_image_download, name="image_download"),
    path("<str:token>/downloads/items/<int:item_id>/media.zip", views.link_item_zip, name="item_zip"),
]
