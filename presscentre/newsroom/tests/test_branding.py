"""The site looks like the organisation: logo, accent colour, favicon, featured images and headshots (issue 14)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.models import Collection

from presscentre.newsroom import branding
from presscentre.newsroom.models import PressCentreSettings
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ImageFactory,
    PersonFactory,
    PressReleaseFactory,
)

LIFT = datetime(2031, 5, 23, 23, 1, tzinfo=UTC)


def png(name: str = "logo.png", **kwargs):
    """A PNG in the image library, big enough for every rendition the site makes of it."""
    kwargs.setdefault("file__width", 640)
    kwargs.setdefault("file__height", 640)
    return ImageFactory(file__filename=name, file__format="PNG", **kwargs)


@pytest.fixture
def site_settings(newsroom):
    found = PressCentreSettings.for_site(newsroom.get_site())
    found.organisation_name = "Institute for Fair Policy"
    found.save()
    return found


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def settings_url(newsroom) -> str:
    return f"/admin/settings/newsroom/presscentresettings/{newsroom.get_site().pk}/"


def form_data(form) -> dict:
    """What the settings screen would post back unchanged: every field's value and its formsets' forms."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[form.add_prefix(name)] = value
    for formset in getattr(form, "formsets", {}).values():
        management = {
            "TOTAL_FORMS": len(formset.forms),
            "INITIAL_FORMS": formset.initial_form_count(),
            "MIN_NUM_FORMS": 0,
            "MAX_NUM_FORMS": 1000,
        }
        for name, value in management.items():
            data[formset.management_form.add_prefix(name)] = value
        for inline in formset.forms:
            for name in inline.fields:
                value = inline[name].value()
                if value is not None:
                    data[inline.add_prefix(name)] = value
    return data


def post_settings(client, newsroom, **changes):
    form = client.get(settings_url(newsroom)).context["form"]
    return client.post(settings_url(newsroom), {**form_data(form), **changes})


# The accent colour -------------------------------------------------------------------------------------------------


def test_contrast_ratios_match_wcag():
    assert branding.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert branding.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.005)
    assert branding.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.005)


@pytest.mark.parametrize(("colour", "accepted"), [("#767676", True), ("#777777", False)])
def test_the_accent_is_accepted_exactly_from_aa_contrast(site_settings, colour, accepted):
    site_settings.accent_colour = colour
    if accepted:
        site_settings.full_clean()
        return
    with pytest.raises(ValidationError) as refused:
        site_settings.full_clean()
    [message] = refused.value.message_dict["accent_colour"]
    assert "4.48:1" in message
    assert "4.5:1" in message


def test_a_ratio_just_under_aa_never_reads_as_passing():
    assert branding.format_ratio(4.4999) == "4.49:1"


@pytest.mark.parametrize("typed", ["0b5394", "#0b539", "#0b5394x", "blue", "#gggggg"])
def test_an_accent_that_is_not_a_hex_colour_is_refused_with_the_expected_form(site_settings, typed):
    site_settings.accent_colour = typed
    with pytest.raises(ValidationError) as refused:
        site_settings.full_clean()
    # (an over-long value also hears its length; the browser's maxlength stops one being typed)
    assert "Enter a colour as # and six hex digits, e.g. #0b5394." in refused.value.message_dict["accent_colour"]


def test_the_settings_screen_refuses_a_light_accent_naming_the_ratio_and_keeps_what_was_typed(
    client, editor, newsroom, site_settings
):
    client.force_login(editor)

    response = post_settings(client, newsroom, accent_colour="#777777")

    assert response.status_code == 200
    assert "contrast ratio of 4.48:1" in " ".join(response.context["form"].errors["accent_colour"])
    assert soup_of(response).find("input", attrs={"name": "accent_colour"})["value"] == "#777777"
    site_settings.refresh_from_db()
    assert site_settings.accent_colour == ""


def test_the_settings_screen_saves_an_accent_in_lower_case(client, editor, newsroom, site_settings):
    client.force_login(editor)

    response = post_settings(client, newsroom, accent_colour="#0B5394")

    assert response.status_code == 302
    site_settings.refresh_from_db()
    assert site_settings.accent_colour == "#0b5394"


def test_the_accent_reaches_every_page_as_a_cacheable_stylesheet_and_never_inline(newsroom, site_settings, client):
    item = PressReleaseFactory(parent=newsroom)
    site_settings.accent_colour = "#8a1c1c"
    site_settings.save()

    for url in ["/", item.url, "/search/", "/no-such-page/"]:
        page = client.get(url)
        stylesheets = [link["href"] for link in soup_of(page).find_all("link", rel="stylesheet")]
        assert "/brand/accent-8a1c1c.css" in stylesheets, url
        assert not soup_of(page).find_all(style=True), url
        assert not soup_of(page).find_all("style"), url

    stylesheet = client.get("/brand/accent-8a1c1c.css")
    assert stylesheet["Content-Type"].startswith("text/css")
    assert "--accent: #8a1c1c;" in stylesheet.content.decode()
    assert stylesheet["Cache-Control"].startswith("public")


def test_without_an_accent_no_accent_stylesheet_is_linked(newsroom, site_settings, client):
    stylesheets = [link["href"] for link in soup_of(client.get("/")).find_all("link", rel="stylesheet")]
    assert not [href for href in stylesheets if "/brand/accent-" in href]


@pytest.mark.parametrize("path", ["/brand/accent-zzzzzz.css", "/brand/accent-12345.css", "/brand/accent-0B5394.css"])
def test_a_malformed_accent_stylesheet_address_is_a_404(newsroom, client, path):
    assert client.get(path).status_code == 404


def test_the_hover_shade_is_darker_so_it_keeps_aa_contrast():
    accent = "#767676"
    assert branding.contrast_ratio(branding.darker(accent), "#ffffff") > branding.contrast_ratio(accent, "#ffffff")


# The logo and favicon ---------------------------------------------------------------------------------------------


def test_the_image_library_itself_refuses_svg(client, editor, settings):
    assert "svg" not in settings.WAGTAILIMAGES_EXTENSIONS
    client.force_login(editor)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="5" height="5"/></svg>'
    # The settings screen's chooser uploads through this view.
    response = client.post(
        "/admin/images/chooser/create/",
        {
            "image-chooser-upload-title": "Logo",
            "image-chooser-upload-collection": Collection.get_first_root_node().pk,
            "image-chooser-upload-file": SimpleUploadedFile("logo.svg", svg, content_type="image/svg+xml"),
        },
    )
    assert response.status_code == 200
    assert "Not a supported image format" in response.content.decode()
    assert not get_image_model().objects.exists()


@pytest.mark.parametrize(
    ("field", "name", "image_format", "message"),
    [
        ("logo", "logo.svg", "PNG", "The logo must be a PNG or WebP image; 'Logo' is an SVG."),
        ("logo", "logo.jpg", "JPEG", "The logo must be a PNG or WebP image; 'Logo' is a JPG."),
        ("favicon", "icon.webp", "WEBP", "The favicon must be a PNG image; 'Logo' is a WEBP."),
    ],
)
def test_a_logo_or_favicon_of_the_wrong_type_is_refused(site_settings, field, name, image_format, message):
    setattr(site_settings, field, ImageFactory(title="Logo", file__filename=name, file__format=image_format))
    with pytest.raises(ValidationError) as refused:
        site_settings.full_clean()
    [found] = refused.value.message_dict[field]
    assert found.startswith(message)


@pytest.mark.parametrize(("name", "image_format"), [("logo.png", "PNG"), ("logo.webp", "WEBP")])
def test_a_png_or_webp_logo_is_accepted(site_settings, name, image_format):
    site_settings.logo = ImageFactory(file__filename=name, file__format=image_format)
    site_settings.favicon = png("icon.png")
    site_settings.full_clean()


def test_the_logo_is_in_the_header_of_every_page_named_for_the_organisation(newsroom, site_settings, client):
    item = PressReleaseFactory(parent=newsroom)
    site_settings.logo = png(file__width=400, file__height=100)
    site_settings.save()

    for url in ["/", item.url, "/search/", "/no-such-page/"]:
        logo = soup_of(client.get(url)).select_one("header .site-logo img")
        assert logo is not None, url
        assert logo["alt"] == "Institute for Fair Policy"
        assert ".height-48" in logo["src"]
        assert (logo["width"], logo["height"]) == ("192", "48")
        assert ".height-96" in logo["srcset"]


def test_without_a_logo_the_header_names_the_organisation(newsroom, site_settings, client):
    header = soup_of(client.get("/")).select_one("header .site-name")
    assert header.find("img") is None
    assert "Institute for Fair Policy" in header.get_text()


@pytest.fixture
def every_page_type(newsroom):
    topic = CategoryFactory(slug="economy")
    fellow = PersonFactory(slug="nia-evans")
    item = PressReleaseFactory(parent=newsroom, categories=[topic], people=[fellow])
    return ["/", item.url, "/category/economy/", "/author/nia-evans/", "/search/?q=budget", "/no-such-page/"]


def icons_of(response) -> list[str]:
    return [link["href"] for link in soup_of(response).find_all("link", rel="icon")]


def test_every_page_type_links_the_built_in_favicon_until_one_is_chosen(site_settings, client, every_page_type):
    for url in every_page_type:
        assert icons_of(client.get(url)) == ["/static/brand/favicon.png"], url
    assert client.get("/static/brand/favicon.png").status_code == 200


def test_every_page_type_links_the_chosen_favicon(site_settings, client, every_page_type):
    site_settings.favicon = png("icon.png")
    site_settings.save()

    for url in every_page_type:
        [icon] = icons_of(client.get(url))
        assert ".fill-32x32" in icon and icon.endswith(".png"), url


def test_favicon_ico_leads_to_the_current_icon_rather_than_a_404(newsroom, site_settings, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/brand/favicon.png"

    site_settings.favicon = png("icon.png")
    site_settings.save()
    response = client.get("/favicon.ico")
    assert ".fill-32x32" in response["Location"]


def test_a_new_logo_file_reaches_pages_kept_in_the_site_memory(newsroom, site_settings, client):
    site_settings.logo = png()
    site_settings.save()
    client.get("/")

    # Replacing an image's file deletes its renditions, as the admin's edit screen does: the page must then
    # make and show a new one rather than the remembered URL of a deleted file.
    logo = site_settings.logo
    logo.renditions.all().delete()
    shown = soup_of(client.get("/")).select_one(".site-logo img")["src"]

    [remade] = logo.renditions.filter(filter_spec="height-48")
    assert shown == remade.url


# Featured images --------------------------------------------------------------------------------------------------


def test_an_item_shows_its_featured_image_with_srcset_sizes_dimensions_and_alt(newsroom, site_settings, client):
    photo = ImageFactory(file__width=1600, file__height=900)
    item = ArticleFactory(parent=newsroom, featured_image=photo, featured_image_alt="Ministers at the dispatch box")

    image = soup_of(client.get(item.url)).select_one("figure.featured-image img")

    assert image["alt"] == "Ministers at the dispatch box"
    assert [part.split()[-1] for part in image["srcset"].split(", ")] == ["480w", "800w", "1200w", "1600w"]
    assert image["sizes"]
    assert (image["width"], image["height"]) == ("480", "270")


def test_an_item_without_a_featured_image_shows_none(newsroom, site_settings, client):
    item = ArticleFactory(parent=newsroom)
    assert soup_of(client.get(item.url)).select_one(".featured-image") is None


def test_a_featured_image_needs_alt_text_unless_the_image_has_a_description(newsroom):
    item = ArticleFactory(parent=newsroom)
    item.featured_image = ImageFactory(description="")
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert "featured_image_alt" in refused.value.message_dict

    item.featured_image_alt = "A chart of energy prices"
    item.full_clean()

    item.featured_image_alt = ""
    item.featured_image = ImageFactory(description="Energy prices, 2020 to 2026")
    item.full_clean()
    assert item.featured_image_alt_text == "Energy prices, 2020 to 2026"


def thumbnails(response) -> list:
    return soup_of(response).select("article.entry .entry-thumbnail img")


def test_listings_show_a_thumbnail_with_alt_text_for_items_with_a_featured_image(newsroom, site_settings, client):
    ArticleFactory(parent=newsroom, title="Plain")
    ArticleFactory(parent=newsroom, title="Pictured", featured_image=png("chart.png"), featured_image_alt="A chart")

    [thumbnail] = thumbnails(client.get("/"))

    assert thumbnail["alt"] == "A chart"
    assert ".fill-150x100" in thumbnail["src"] and ".fill-300x200" in thumbnail["srcset"]
    assert (thumbnail["width"], thumbnail["height"]) == ("150", "100")


def listing_queries(client, url: str = "/") -> int:
    client.get(url)  # the site memory and settings rows are warm, as on a running server
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_thumbnails_do_not_change_the_listing_query_count(newsroom, site_settings, client, settings):
    settings.PRESSCENTRE_ITEMS_PER_PAGE = 10
    items = [ArticleFactory(parent=newsroom) for _ in range(6)]
    without = listing_queries(client)

    for item in items[:2]:
        item.featured_image, item.featured_image_alt = png(), "A photo"
        item.save_revision().publish()
    with_some = listing_queries(client)
    for item in items[2:]:
        item.featured_image, item.featured_image_alt = png(), "A photo"
        item.save_revision().publish()
    with_all = listing_queries(client)

    assert len(thumbnails(client.get("/"))) == 6
    assert with_some == with_all == without


def test_a_cold_listing_reads_every_thumbnail_in_one_query(newsroom, site_settings, client, settings):
    from django.core.cache import cache

    settings.PRESSCENTRE_ITEMS_PER_PAGE = 10
    for _ in range(5):
        ArticleFactory(parent=newsroom, featured_image=png(), featured_image_alt="A photo")
    client.get("/")  # the renditions are made once

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    rendition_reads = [query["sql"] for query in queries if "rendition" in query["sql"].lower()]

    assert len(rendition_reads) == 1


def test_an_embargoed_items_featured_image_is_nowhere_public_before_the_lift(newsroom, site_settings, client):
    photo = png("secret-photo.png")
    with time_machine.travel(LIFT - timedelta(hours=1), tick=False):
        PressReleaseFactory(
            parent=newsroom, embargo_until=LIFT, published_at=LIFT, featured_image=photo, featured_image_alt="Secret"
        )
        for url in ["/", "/search/?q=item", "/feed/"]:
            assert b"secret-photo" not in client.get(url).content, url
    with time_machine.travel(LIFT, tick=False):
        assert b"secret-photo" in client.get("/").content


# Headshots --------------------------------------------------------------------------------------------------------


def test_bylines_show_each_persons_headshot_named_for_them(newsroom, site_settings, client):
    pictured = PersonFactory(name="Nia Evans", photo=png("nia.png"))
    unpictured = PersonFactory(name="Tom Reed")
    release = PressReleaseFactory(parent=newsroom, people=[pictured, unpictured])
    article = ArticleFactory(parent=newsroom, people=[pictured, unpictured])

    for url in [release.url, article.url]:
        [headshot] = soup_of(client.get(url)).select("img.headshot")
        assert headshot["alt"] == "Nia Evans"
        assert ".fill-48x48" in headshot["src"] and ".fill-96x96" in headshot["srcset"]


def test_a_photo_added_later_reaches_bylines_kept_in_the_site_memory(newsroom, site_settings, client):
    person = PersonFactory(name="Nia Evans")
    release = PressReleaseFactory(parent=newsroom, people=[person])
    assert not soup_of(client.get(release.url)).select("img.headshot")

    person.photo = png("nia.png")
    person.save()

    assert soup_of(client.get(release.url)).select("img.headshot")


def test_the_person_page_shows_their_headshot_named_for_them(newsroom, site_settings, client):
    person = PersonFactory(name="Nia Evans", slug="nia-evans", photo=png("nia.png", file__width=400, file__height=500))
    ArticleFactory(parent=newsroom, people=[person])  # an archive exists only with a public item in it

    photo = soup_of(client.get("/author/nia-evans/")).select_one("img.person-photo")

    assert photo["alt"] == "Nia Evans"
    assert "320w" in photo["srcset"]


def test_search_results_show_thumbnails_too(newsroom, site_settings, client):
    ArticleFactory(
        parent=newsroom, title="Heat pumps", featured_image=png("pump.png"), featured_image_alt="A heat pump"
    )

    [thumbnail] = thumbnails(client.get("/search/", {"q": "heat pumps"}))

    assert thumbnail["alt"] == "A heat pump"
