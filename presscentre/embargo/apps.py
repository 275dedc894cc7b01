from django.apps import AppConfig


class EmbargoConfig(AppConfig):
    name = "presscentre.embargo"
    label = "embargo"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import page_published

        from presscentre.embargo.signal_handlers import schedule_lift_on_publish

        page_published.connect(schedule_lift_on_publish, dispatch_uid="presscentre.embargo.schedule_lift")
