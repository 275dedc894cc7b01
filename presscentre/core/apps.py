from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "presscentre.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from presscentre.core import site_memo

        site_memo.connect()
