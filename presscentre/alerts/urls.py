from django.urls import path

from presscentre.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.subscribe_view, name="subscribe"),
    path("check-your-email/", views.sent_view, name="sent"),
    path("confirm/<str:token>/", views.confirm_view, name="confirm"),
    path("manage/<str:token>/", views.manage_view, name="manage"),
    path("manage/<str:token>/forget/", views.forget_view, name="forget"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
]
