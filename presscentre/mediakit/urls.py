from django.urls import path

from presscentre.mediakit import kit_views, views

app_name = "mediakit"

urlpatterns = [
    path("media-kit/", kit_views.media_kit, name="media_kit"),
    path("downloads/images/<int:image_id>/<str:size>/", views.image_download, name="image_download"),
    path("downloads/items/<int:item_id>/media.zip", views.item_zip, name="item_zip"),
]
