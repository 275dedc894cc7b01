from django.urls import path

from presscentre.experts import views

app_name = "experts"

urlpatterns = [
    path("<str:slug>/", views.request_view, name="request"),
    path("<str:slug>/sent/", views.thanks_view, name="thanks"),
]
