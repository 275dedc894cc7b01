from django.urls import path

from presscentre.syndication.api import api_router

urlpatterns = [path("", api_router.urls)]
