"""StreamField blocks for the body of every newsroom item."""

from wagtail import blocks
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


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, template="blocks/paragraph_block.html")
    heading = HeadingBlock()
    quote = QuoteBlock()
    image = ImageBlock()
    embed = EmbedBlock(
        help_text="A video or post URL from a provider such as YouTube.", template="blocks/embed_block.html"
    )


class KeyFindingsBlock(blocks.StreamBlock):
    finding = blocks.TextBlock(help_text="One finding, one or two sentences.")
