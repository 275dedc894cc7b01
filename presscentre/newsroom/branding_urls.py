from django.urls import path, re_path

from presscentre.newsroom import views

app_name = "brand"

urlpatterns = [
    re_path(r"^brand/accent-(?P<colour>[0-9a-f]{6})\.css$", views.accent_stylesheet, name="accent_stylesheet"),
    path("favicon.ico", views.favicon, name="favicon"),
]
