"""StreamField blocks for the body of every newsroom item."""

from pathlib import PurePosixPath

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

PARAGRAPH_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "superscript", "subscript"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200)
    level = blocks.ChoiceBlock(choices=[("h2", "Section heading"), ("h3", "Subheading")], default="h2")

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    speaker = blocks.CharBlock(max_length=200, help_text="Who said it, e.g. 'Dr Asha Menon'.")
    speaker_role = blocks.CharBlock(max_length=200, required=False, help_text="e.g. 'Director of Research'.")

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        max_length=300, help_text="Describe the image for people who cannot see it. Required for accessibility."
    )
    caption = blocks.CharBlock(max_length=300, required=False)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"


class GalleryImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(max_length=300, help_text="Describe the image for people who cannot see it.")
    caption = blocks.CharBlock(max_length=300, required=False)

    class Meta:
        icon = "image"


class GalleryBlock(blocks.StructBlock):
    """Several pictures shown together (a WordPress gallery), each with its own alt text and caption."""

    images = blocks.ListBlock(GalleryImageBlock(), min_num=1)
    caption = blocks.CharBlock(max_length=300, required=False, help_text="A caption for the whole gallery.")

    class Meta:
        icon = "image"
        template = "blocks/gallery_block.html"


AUDIO_EXTENSIONS = {".mp3", ".m4a", ".ogg", ".oga", ".wav", ".aac", ".flac", ".opus"}
VIDEO_EXTENSIONS = {".mp4", ".m4v", ".webm", ".ogv", ".mov"}


class MediaValue(blocks.StructValue):
    def kind(self) -> str:
        """'audio' or 'video' by the file's extension, so a player never claims a type the file is not."""
        document = self.get("document")
        suffix = PurePosixPath(document.filename).suffix.lower() if document is not None else ""
        if suffix in AUDIO_EXTENSIONS:
            return "audio"
        return "video" if suffix in VIDEO_EXTENSIONS else ""


class MediaBlock(blocks.StructBlock):
    """An audio or video file from the document library, played in the page and offered as a download.

    The file is served from this site, so the site's `media-src 'self'` policy lets the browser play it.
    """

    document = DocumentChooserBlock(help_text="An audio (mp3, m4a, ogg, wav) or video (mp4) file.")
    caption = blocks.CharBlock(max_length=300, required=False)

    class Meta:
        icon = "media"
        template = "blocks/media_block.html"
        value_class = MediaValue


class CaptionedEmbedBlock(blocks.StructBlock):
    """An embed with a caption under it, kept together as one figure.

    A block of its own rather than a caption on `embed`: existing `embed` blocks store a bare URL, and a
    StructBlock there would change the stored shape of every body that already has one.
    """

    url = EmbedBlock(help_text="A video or post URL from a provider such as YouTube.")
    caption = blocks.CharBlock(max_length=300)

    class Meta:
        icon = "media"
        template = "blocks/captioned_embed_block.html"


class DisclosureBlock(blocks.StructBlock):
    """Text readers open on demand (WordPress's details block): a summary line and what it hides."""

    summary = blocks.CharBlock(max_length=300)
    body = blocks.RichTextBlock(features=PARAGRAPH_FEATURES)

    class Meta:
        icon = "collapse-down"
        template = "blocks/disclosure_block.html"


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, template="blocks/paragraph_block.html")
    heading = HeadingBlock()
    quote = QuoteBlock()
    image = ImageBlock()
    embed = EmbedBlock(
        help_text="A video or post URL from a provider such as YouTube.", template="blocks/embed_block.html"
    )
    captioned_embed = CaptionedEmbedBlock()
    gallery = GalleryBlock()
    media = MediaBlock()
    disclosure = DisclosureBlock()
    preformatted = blocks.TextBlock(
        help_text="Code or text whose line breaks and spacing matter.",
        template="blocks/preformatted_block.html",
        icon="code",
    )


class KeyFindingsBlock(blocks.StreamBlock):
    finding = blocks.TextBlock(help_text="One finding, one or two sentences.")
