"""Initials avatars in the admin: nothing asked of Gravatar, an uploaded picture still wins."""

import re
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.admin.templatetags.wagtailadmin_tags import avatar_url
from wagtail.users.models import UserProfile

from presscentre.core.avatars import PALETTE, avatar_colour, initials, initials_avatar_url

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def person(username="", first_name="", last_name=""):
    return SimpleNamespace(
        first_name=first_name, last_name=last_name, get_username=lambda: username, is_authenticated=True
    )


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (person("jd", "Jane", "Doe"), "JD"),
        (person("x", "Mary Ann", "van Dyke"), "MV"),
        (person("x", "Jane Doe"), "JD"),
        (person("x", "Cher"), "C"),
        (person("jane.doe"), "JD"),
        (person("jane@example.org"), "J"),
        (person("editor"), "E"),
        (person("anna-maria_de-souza"), "AS"),
        (person("élodie"), "É"),
        (person("..."), "?"),
    ],
)
def test_initials_come_from_the_name_or_else_the_username(user, expected):
    assert initials(user) == expected


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@pytest.mark.parametrize("colour", PALETTE)
def test_white_initials_meet_wcag_aa_contrast_on_every_palette_colour(colour):
    assert (1.05) / (_luminance(colour) + 0.05) >= 4.5


def test_a_user_keeps_the_same_colour_everywhere():
    assert avatar_colour(person("jane.doe")) == avatar_colour(person("jane.doe"))
    assert len({avatar_colour(person(f"user{n}")) for n in range(40)}) > 1


def test_avatar_url_is_an_initials_svg_for_a_user_without_a_picture(editor):
    editor.first_name, editor.last_name = "Rosa", "Parks"

    url = avatar_url(editor, size=25)

    assert url.startswith("data:image/svg+xml,")
    svg = unquote(url.removeprefix("data:image/svg+xml,"))
    assert re.search(r"<text[^>]*>RP</text>", svg)
    assert 'width="25"' in svg and avatar_colour(editor) in svg


def test_an_uploaded_picture_still_wins(editor, settings, tmp_path):
    profile = UserProfile.get_for_user(editor)
    profile.avatar = SimpleUploadedFile("me.png", PNG, content_type="image/png")
    profile.save()
    editor.refresh_from_db()

    assert initials_avatar_url(editor) is None
    assert avatar_url(editor).startswith(settings.MEDIA_URL)


def test_no_user_gets_wagtails_own_local_default():
    assert initials_avatar_url(None) is None
    assert "gravatar" not in avatar_url(None)


def test_the_dashboard_shows_initials_and_asks_no_one_for_a_gravatar(client, editor, django_user_model):
    editor.first_name, editor.last_name = "Rosa", "Parks"
    editor.save()
    client.force_login(editor)

    html = client.get("/admin/").content.decode()

    assert "gravatar" not in html.lower()
    dashboard_avatar = BeautifulSoup(html, "html.parser").select_one(".avatar img")
    assert ">RP</text>" in unquote(dashboard_avatar["src"])
    # The sidebar's account menu is drawn by script from these props, with the same picture.
    assert ">RP</text>" in unquote(html.split('id="wagtail-sidebar-props"', 1)[1].split("</script>", 1)[0])


def test_the_account_page_and_page_history_ask_no_one_for_a_gravatar(client, editor, newsroom):
    client.force_login(editor)
    newsroom.save_revision(user=editor, log_action=True)

    for url in ("/admin/account/", f"/admin/pages/{newsroom.pk}/history/"):
        html = client.get(url).content.decode()
        assert "gravatar" not in html.lower(), url
        assert "%3E" in html and "data:image/svg+xml," in html, url
