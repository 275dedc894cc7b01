from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "presscentre.distribution"
    label = "distribution"
    verbose_name = "Distribution"

    def ready(self):
        from presscentre.distribution.directory import search_media_contacts
        from presscentre.embargo.directory import register_contact_directory

        # The journalist links screen (embargo) picks recipients from the media contacts through this.
        register_contact_directory(search_media_contacts, name="media contacts")
