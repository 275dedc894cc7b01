import mimetypes

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from presscentre.newsroom.models.items import NewsItemPage, gallery_panel, item_edit_handler


class MediaAppearancePage(NewsItemPage):
    """A radio or TV interview or podcast, with its recording and transcript."""

    outlet = models.CharField(max_length=150, help_text="e.g. 'BBC Radio 4'.")
    programme = models.CharField(max_length=150, blank=True, help_text="e.g. 'Today'.")
    broadcast_at = models.DateTimeField("broadcast date and time", null=True, blank=True)
    recording = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="An audio or video file (MP3, M4A, OGG, WAV or MP4), played on the page.",
    )
    recording_url = models.URLField(
        "recording link",
        max_length=500,
        blank=True,
        help_text="Where the broadcaster hosts the recording. Shown as a link: "
        "no third-party player is loaded into readers' browsers.",
    )
    transcript = RichTextField(blank=True, features=["bold", "italic", "link", "h3"])

    type_label = "Media Appearance"
    type_slug = "media-appearance"
    comments_open_by_default = False
    is_creatable = True
    parent_page_types = ["newsroom.PressCentrePage"]
    subpage_types: list[str] = []
    template = "pages/media_appearance_page.html"

    search_fields = [
        *NewsItemPage.search_fields,
        index.SearchField("outlet"),
        index.SearchField("programme"),
        index.SearchField("transcript"),
    ]

    content_panels = [
        *NewsItemPage.item_panels,
        MultiFieldPanel(
            [
                FieldPanel("outlet"),
                FieldPanel("programme"),
                FieldPanel("broadcast_at"),
                FieldPanel("recording"),
                FieldPanel("recording_url"),
            ],
            heading="Broadcast",
        ),
        FieldPanel("transcript"),
        gallery_panel,
    ]
    edit_handler = item_edit_handler(content_panels)

    class Meta:
        verbose_name = "media appearance"

    @property
    def recording_mime_type(self) -> str:
        if not self.recording:
            return ""
        return mimetypes.guess_type(self.recording.filename)[0] or "application/octet-stream"

    @property
    def recording_kind(self) -> str:
        """'audio' or 'video' for a playable recording, '' for anything else."""
        kind = self.recording_mime_type.split("/")[0]
        return kind if kind in ("audio", "video") else ""

    def listen_line(self) -> str:
        """'Listen to <people> on <programme>, <outlet>' as the reference site words it."""
        names = " and ".join(person.name for person in self.people)
        where = f"{self.programme}, {self.outlet}" if self.programme else self.outlet
        verb = "Watch" if self.recording_kind == "video" else "Listen to"
        return f"{verb} {names} on {where}" if names else f"{verb} {where}"

    def get_context(self, request, *args, **kwargs):
        from presscentre.newsroom.models.site_settings import PressCentreSettings

        context = super().get_context(request, *args, **kwargs)
        # Journalists look for the press office on every item, not only on releases: the site's default contacts.
        context["media_contacts"] = PressCentreSettings.for_request(request).default_contacts()
        return context
