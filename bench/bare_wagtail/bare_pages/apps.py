from django.apps import AppConfig


class BarePagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bare_pages"
