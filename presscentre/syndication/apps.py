from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "presscentre.syndication"
    label = "syndication"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from presscentre.pagecache import registry

        # Whether feeds carry full text, and the podcast's details: every feed, and the links to them on every page.
        registry.register_model("syndication.SyndicationSettings")
