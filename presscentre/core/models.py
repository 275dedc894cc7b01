import secrets

from django.db import models
from wagtail.images.models import AbstractImage, AbstractRendition, Image


class PressCentreImage(AbstractImage):
    """Wagtail's image, stored under an unguessable name.

    Image files are served straight from storage, without a view that could apply the embargo rule, so an
    image that only an embargoed item shows must not be findable by guessing its file name before the lift.
    """

    admin_form_fields = Image.admin_form_fields

    def get_upload_to(self, filename: str) -> str:
        return super().get_upload_to(f"{secrets.token_urlsafe(12)}-{filename}")


class PressCentreRendition(AbstractRendition):
    image = models.ForeignKey(PressCentreImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
