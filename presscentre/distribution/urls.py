from django.urls import path

from presscentre.distribution import views

app_name = "distribution"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
]
