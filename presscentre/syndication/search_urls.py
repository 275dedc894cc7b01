from django.urls import path

from presscentre.syndication import views

app_name = "search"

urlpatterns = [path("search/", views.search, name="search")]
