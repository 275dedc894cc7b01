"""How the public site looks like the organisation: its accent colour, logo, favicon and default social image.

The accent colour is checked against WCAG AA before it is saved, and reaches pages as a tiny stylesheet whose
URL carries the colour itself, so the stylesheet can be cached for ever and the public CSP stays `style-src
'self'`. The logo, favicon and social image renditions are worked out once per process (the site memory) and
handed to every page as plain URLs.
"""

import re
from dataclasses import dataclass

from django.templatetags.static import static
from django.urls import reverse

# Links are drawn in the accent on this background, and buttons print white text on the accent.
PAGE_BACKGROUND = "#ffffff"
TEXT_ON_ACCENT = "#ffffff"
# WCAG 2.2 success criterion 1.4.3, level AA, for normal-size text.
AA_TEXT_CONTRAST = 4.5
# The accent of presscentre.css, used until an editor chooses one.
DEFAULT_ACCENT = "#0b5394"

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")

LOGO_FORMATS = ("png", "webp")
FAVICON_FORMATS = ("png",)

LOGO_FILTER = "height-48"
LOGO_FILTER_2X = "height-96"
FAVICON_FILTER = "fill-32x32|format-png"
TOUCH_ICON_FILTER = "fill-180x180|format-png"
SOCIAL_FILTER = "fill-1200x630"
# A logo is shown whole on a social card, never cropped.
SOCIAL_LOGO_FILTER = "max-1200x630"

DEFAULT_FAVICON = "brand/favicon.png"
DEFAULT_TOUCH_ICON = "brand/apple-touch-icon.png"


# Colour -----------------------------------------------------------------------------------------------------------


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def relative_luminance(colour: str) -> float:
    """WCAG's relative luminance of a #rrggbb colour, from 0 (black) to 1 (white)."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG's contrast ratio between two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def format_ratio(ratio: float) -> str:
    """'4.48:1', to two places; a ratio just under AA reads 4.49, never as a passing 4.50."""
    shown = round(ratio, 2)
    if ratio < AA_TEXT_CONTRAST <= shown:
        shown = AA_TEXT_CONTRAST - 0.01
    return f"{shown:.2f}:1"


def accent_contrast_problem(colour: str) -> str:
    """Why `colour` may not be the accent ('' when it may): each of its two uses must reach WCAG AA."""
    uses = [
        (contrast_ratio(colour, PAGE_BACKGROUND), "as link text on the white page background"),
        (contrast_ratio(TEXT_ON_ACCENT, colour), "behind white button text"),
    ]
    ratio, use = min(uses, key=lambda found: found[0])
    if ratio >= AA_TEXT_CONTRAST:
        return ""
    return (
        f"{colour} has a contrast ratio of {format_ratio(ratio)} {use}; WCAG AA needs at least "
        f"{AA_TEXT_CONTRAST}:1. Choose a darker colour."
    )


def darker(colour: str, by: float = 0.2) -> str:
    """`colour` mixed with black (for hover states): darker, so it keeps at least the accent's contrast."""
    return "#" + "".join(f"{round(channel * (1 - by)):02x}" for channel in _channels(colour))


def accent_stylesheet(colour: str) -> str:
    """The stylesheet that sets the site's accent (a lower-case #rrggbb) over presscentre.css's default."""
    return f":root {{ --accent: {colour}; --accent-dark: {darker(colour)}; }}\n"


def accent_stylesheet_url(colour: str) -> str:
    return reverse("brand:accent_stylesheet", args=[colour.removeprefix("#").lower()])


# Images -----------------------------------------------------------------------------------------------------------


def image_format(image) -> str:
    """The image's file type as its extension says ('png', 'webp'; Wagtail checks the content matches it)."""
    name = getattr(image.file, "name", "") or ""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def format_problem(image, allowed: tuple[str, ...], what: str) -> str:
    """Why `image` cannot be the `what` ('' when it can)."""
    found = image_format(image)
    if found in allowed:
        return ""
    names = " or ".join(kind.upper() if kind != "webp" else "WebP" for kind in allowed)
    kind = "an SVG" if found == "svg" else f"a {found.upper() or 'file of unknown type'}"
    return f"The {what} must be a {names} image; '{image.title}' is {kind}. Upload a {names} version of it."


@dataclass(frozen=True)
class Picture:
    """One rendered image as a page prints it."""

    url: str
    width: int
    height: int
    alt: str = ""
    srcset: str = ""


@dataclass(frozen=True)
class Brand:
    """What every public page shows of the organisation, as plain values."""

    accent: str  # '' while presscentre.css's own accent is used
    accent_url: str
    logo: Picture | None
    favicon_url: str
    touch_icon_url: str
    social: Picture | None  # the default social image, or else the logo, for pages that have no image of their own


def picture(rendition, *, alt: str = "", double=None) -> Picture:
    return Picture(
        url=rendition.url,
        width=rendition.width,
        height=rendition.height,
        alt=alt,
        srcset=f"{rendition.url} 1x, {double.url} 2x" if double is not None else "",
    )


def build_brand(site_settings) -> Brand:
    """The organisation's look, from its settings: a query for the chosen images, and their renditions."""
    from wagtail.images import get_image_model

    wanted = {site_settings.logo_id, site_settings.favicon_id, site_settings.default_social_image_id} - {None}
    images = get_image_model().objects.in_bulk(wanted) if wanted else {}
    logo = images.get(site_settings.logo_id)
    favicon = images.get(site_settings.favicon_id)
    social_image = images.get(site_settings.default_social_image_id)
    organisation = site_settings.organisation_name
    accent = (site_settings.accent_colour or "").lower()

    logo_picture = None
    if logo is not None:
        renditions = logo.get_renditions(LOGO_FILTER, LOGO_FILTER_2X)
        logo_picture = picture(renditions[LOGO_FILTER], alt=organisation, double=renditions[LOGO_FILTER_2X])
    if favicon is not None:
        renditions = favicon.get_renditions(FAVICON_FILTER, TOUCH_ICON_FILTER)
        favicon_url, touch_icon_url = renditions[FAVICON_FILTER].url, renditions[TOUCH_ICON_FILTER].url
    else:
        favicon_url, touch_icon_url = static(DEFAULT_FAVICON), static(DEFAULT_TOUCH_ICON)
    if social_image is not None:
        social = picture(social_image.get_rendition(SOCIAL_FILTER), alt=social_image.description or organisation)
    elif logo is not None:
        social = picture(logo.get_rendition(SOCIAL_LOGO_FILTER), alt=f"{organisation} logo")
    else:
        social = None
    return Brand(
        accent=accent,
        accent_url=accent_stylesheet_url(accent) if accent else "",
        logo=logo_picture,
        favicon_url=favicon_url,
        touch_icon_url=touch_icon_url,
        social=social,
    )
