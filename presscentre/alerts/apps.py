from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Self-service alerts: readers and journalists subscribe to what they cover, by email, with no account."""

    name = "presscentre.alerts"
    label = "alerts"
    verbose_name = "Alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from presscentre.alerts import registration

        registration.register()
