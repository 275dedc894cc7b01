from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "presscentre.distribution"
    label = "distribution"
    verbose_name = "Distribution"
