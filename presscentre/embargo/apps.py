from django.apps import AppConfig


class EmbargoConfig(AppConfig):
    name = "presscentre.embargo"
    label = "embargo"
    default_auto_field = "django.db.models.BigAutoField"
