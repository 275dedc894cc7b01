from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "presscentre.syndication"
    label = "syndication"
    default_auto_field = "django.db.models.BigAutoField"
