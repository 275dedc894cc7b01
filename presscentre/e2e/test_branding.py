"""A press officer gives the site the organisation's logo and colour in the admin; readers then see them."""

import io
import mimetypes

import pytest
from PIL import Image, ImageDraw

from presscentre.e2e.pages import check_page

pytestmark = pytest.mark.browser

SETTINGS = "/admin/settings/newsroom/presscentresettings/"
ACCENT = "#8a1c1c"
ACCENT_RGB = "rgb(138, 28, 28)"


def logo_png() -> bytes:
    """A 400 x 100 logo: a red mark and a dark bar for the name."""
    image = Image.new("RGB", (400, 100), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 99, 99], fill=ACCENT)
    draw.rectangle([120, 35, 380, 65], fill="#282828")
    found = io.BytesIO()
    image.save(found, format="PNG")
    return found.getvalue()


@pytest.fixture
def unbranded(live_site):
    """The demo as loaded, and put back afterwards so later journeys see the site as it was."""
    from presscentre.newsroom.models import PressCentreSettings

    yield
    for found in PressCentreSettings.objects.all():
        found.logo, found.accent_colour = None, ""
        found.save()


@pytest.fixture
def media_served(live_site, reader_page):
    """Uploaded images, which a web server or object storage serves in production, served from the test's folder."""

    def serve(route):
        path = live_site.media_root / route.request.url.split("/media/", 1)[1].split("?")[0]
        if not path.is_file():
            route.fulfill(status=404)
            return
        route.fulfill(status=200, body=path.read_bytes(), content_type=mimetypes.guess_type(path.name)[0])

    reader_page.route("**/media/**", serve)
    yield
    reader_page.unroute("**/media/**")


def organisation_name() -> str:
    from presscentre.newsroom.models import PressCentreSettings

    return PressCentreSettings.objects.get().organisation_name


def accent_field(page):
    return page.get_by_role("textbox", name="Accent colour")


def save(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()


def test_a_press_officer_brands_the_site_and_a_reader_sees_it(
    live_site, editor_page, reader_page, unbranded, media_served, tmp_path
):
    logo_file = tmp_path / "ashcombe-logo.png"
    logo_file.write_bytes(logo_png())
    editor_page.goto(SETTINGS)

    # The logo, uploaded from the settings screen's own image chooser.
    editor_page.locator("#id_logo-chooser").get_by_role("button", name="Choose an image").click()
    chooser = editor_page.locator(".modal-dialog")
    chooser.get_by_role("tab", name="Upload").click()
    chooser.get_by_label("Title").fill("Ashcombe Institute logo")
    chooser.get_by_label("File").set_input_files(str(logo_file))
    chooser.get_by_role("textbox", name="Alt text").fill("The Ashcombe Institute")
    chooser.get_by_role("button", name="Upload").click()
    chooser.wait_for(state="detached")
    assert "Ashcombe Institute logo" in editor_page.locator("#id_logo-chooser").inner_text()

    # A colour too light to read on white is refused, naming the ratio it reached, and what was typed stays.
    accent_field(editor_page).fill("#777777")
    save(editor_page)
    errors = editor_page.locator("[data-field-wrapper]", has=accent_field(editor_page)).locator("[data-field-errors]")
    assert "contrast ratio of 4.48:1" in errors.inner_text()
    assert accent_field(editor_page).input_value() == "#777777"
    assert "Ashcombe Institute logo" in editor_page.locator("#id_logo-chooser").inner_text()

    accent_field(editor_page).fill(ACCENT)
    save(editor_page)
    assert editor_page.locator(".messages").get_by_text("updated").count() == 1

    reader_page.goto("/")
    logo = reader_page.locator("header .site-logo img")
    assert logo.get_attribute("alt") == organisation_name()
    assert logo.evaluate("(image) => image.complete && image.naturalWidth") > 0
    link = reader_page.locator("main a").first
    assert link.evaluate("(element) => getComputedStyle(element).color") == ACCENT_RGB
    header_rule = reader_page.locator(".site-header").evaluate(
        "(element) => getComputedStyle(element).borderBottomColor"
    )
    assert header_rule == ACCENT_RGB
    # The site's own font, from the site itself.
    font = reader_page.evaluate(
        "async () => { await document.fonts.ready;"
        " return [...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family); }"
    )
    assert any("Source Sans 3" in family for family in font)
    check_page(reader_page, "branding-index")
