from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "presscentre.comments"
    label = "comments"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "comments"
