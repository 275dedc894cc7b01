from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    """Interview requests: a journalist asks, from the experts directory, to interview one of the people listed;
    the press office gets an email and finds the request in its admin inbox."""

    name = "presscentre.experts"
    label = "experts"
    verbose_name = "Interview requests"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from presscentre.pagecache import registry

        # The request form carries a CSRF token and what the journalist typed: the page cache never keeps it.
        registry.register_bypass_prefix("/experts/request/")
