"""What the importers remember about their sources, so that importing the same file again changes nothing."""

from django.conf import settings
from django.db import models


class ImportedPost(models.Model):
    """A WordPress post imported as a page, keyed by the exporting site and its post id."""

    source_site = models.CharField(max_length=300, blank=True, help_text="The exporting site's address.")
    wp_post_id = models.PositiveBigIntegerField("WordPress post id")
    guid = models.CharField("GUID", max_length=500, blank=True)
    # With the GUID, what tells one post from another that claims the same site and id (see services.conflict).
    post_type = models.CharField("WordPress post type", max_length=20, blank=True)
    post_date = models.CharField(
        "WordPress publication date", max_length=19, blank=True, help_text="As exported; empty for drafts."
    )
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    content_hash = models.CharField(max_length=64, help_text="What was imported, to tell whether it changed.")
    source_file = models.CharField(max_length=500, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source_site", "wp_post_id"], name="importedpost_unique_site_post")
        ]

    def __str__(self) -> str:
        return f"{self.source_site} post {self.wp_post_id}"


class ImportedComment(models.Model):
    """A WordPress comment imported as a Comment, keyed by its post and WordPress comment id."""

    post = models.ForeignKey(ImportedPost, on_delete=models.CASCADE, related_name="comments")
    wp_comment_id = models.PositiveBigIntegerField("WordPress comment id")
    comment = models.ForeignKey("comments.Comment", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "wp_comment_id"], name="importedcomment_unique_post_comment")
        ]

    def __str__(self) -> str:
        return f"comment {self.wp_comment_id} on {self.post}"


class ImportedAttachment(models.Model):
    """A WordPress attachment copied into the image or document library, so importing again copies nothing."""

    source_site = models.CharField(max_length=300, blank=True, help_text="The exporting site's address.")
    wp_post_id = models.PositiveBigIntegerField("WordPress attachment id")
    relative_path = models.CharField(max_length=500, blank=True, help_text="Its path below the uploads folder.")
    image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source_site", "wp_post_id"], name="importedattachment_unique_site_post")
        ]

    def __str__(self) -> str:
        return f"{self.source_site} attachment {self.wp_post_id}"
