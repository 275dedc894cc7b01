"""What a press officer meets in the editor: a new item saves from its headline alone, zones and statuses read well."""

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone
from wagtail.fields import StreamField

from presscentre.newsroom.models import ArticlePage, MediaAppearancePage, PressReleasePage, ReportPage
from presscentre.newsroom.models.items import canonical_time_zones, time_zone_choices
from presscentre.newsroom.tests.factories import PressReleaseFactory

ITEM_MODELS = [PressReleasePage, ArticlePage, ReportPage, MediaAppearancePage]


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


def form_as_sent(html: str, model=PressReleasePage) -> dict:
    """Every field of the admin's page form with the value the browser would send for it, untouched.

    StreamFields are drawn by the admin's script, which also writes their block count: an empty one sends 0.
    """
    form = BeautifulSoup(html, "html.parser").select_one("form[data-edit-form]") or BeautifulSoup(
        html, "html.parser"
    ).select_one("#page-edit-form")
    data: dict[str, str] = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            data[name] = chosen.get("value", "") if chosen else ""
        elif field.name == "textarea":
            data[name] = field.text
        elif field.get("type") in {"checkbox", "radio"}:
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.get("type") not in {"submit", "button", "file"}:
            data[name] = field.get("value", "")
    for model_field in model._meta.get_fields():
        if isinstance(model_field, StreamField):
            data.setdefault(f"{model_field.name}-count", "0")
    return data


def create_url(newsroom, model) -> str:
    return reverse("wagtailadmin_pages:add", args=["newsroom", model._meta.model_name, newsroom.pk])


@pytest.mark.parametrize("model", ITEM_MODELS)
def test_a_new_item_saves_as_a_draft_from_its_headline_alone(newsroom, admin_client, model):
    url = create_url(newsroom, model)
    data = form_as_sent(admin_client.get(url).text, model)
    assert data["slug"] == ""
    data["title"] = "Rents outpace wages, again: a 3rd year"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    item = model.objects.get(title="Rents outpace wages, again: a 3rd year")
    assert item.slug == "rents-outpace-wages-again-a-3rd-year"
    assert not item.live


def test_the_slug_taken_by_a_sibling_gets_the_next_free_number(newsroom, admin_client):
    PressReleaseFactory(parent=newsroom, title="Budget response", slug="budget-response")
    PressReleaseFactory(parent=newsroom, title="Budget response", slug="budget-response-2")
    url = create_url(newsroom, PressReleasePage)
    for slug_typed in ("", "budget-response"):  # left empty, or filled from the headline by the browser
        data = form_as_sent(admin_client.get(url).text)
        data.update(title="Budget response", slug=slug_typed)

        assert admin_client.post(url, data).status_code == 302

    assert sorted(PressReleasePage.objects.filter(title="Budget response").values_list("slug", flat=True)) == [
        "budget-response",
        "budget-response-2",
        "budget-response-3",
        "budget-response-4",
    ]


def test_a_headline_naming_one_of_the_press_centres_own_pages_gets_another_slug(newsroom, admin_client):
    url = create_url(newsroom, ArticlePage)
    data = form_as_sent(admin_client.get(url).text, ArticlePage)
    data["title"] = "Search"

    assert admin_client.post(url, data).status_code == 302
    assert ArticlePage.objects.get(title="Search").slug == "search-2"


def test_a_slug_the_editor_chose_is_kept_and_a_taken_one_is_refused(newsroom, admin_client):
    published = PressReleaseFactory(parent=newsroom, slug="taken")
    url = create_url(newsroom, PressReleasePage)
    data = form_as_sent(admin_client.get(url).text)
    data.update(title="Something else entirely", slug="taken")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "slug" in response.context["form"].errors
    assert PressReleasePage.objects.filter(slug="taken").get() == published


def test_a_headline_without_letters_or_digits_asks_for_a_slug(newsroom, admin_client):
    url = create_url(newsroom, ArticlePage)
    data = form_as_sent(admin_client.get(url).text, ArticlePage)
    data["title"] = "!!! ???"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == ["Type a headline with letters or digits, or choose a slug."]
    assert response.context["form"].data["title"] == "!!! ???"


def test_the_headline_field_fills_the_slug_as_it_is_typed(newsroom, admin_client):
    html = admin_client.get(create_url(newsroom, PressReleasePage)).text
    title = BeautifulSoup(html, "html.parser").select_one("#id_title")

    assert "w-sync" in title["data-controller"]
    assert "keyup->w-sync#apply" in title["data-action"]


def test_the_promote_tab_offers_no_menu_switch(newsroom, admin_client):
    html = admin_client.get(create_url(newsroom, PressReleasePage)).text

    assert 'name="show_in_menus"' not in html
    assert 'name="seo_title"' in html


def test_zone_choices_are_canonical_and_grouped_by_region():
    zones = canonical_time_zones()
    assert {"Europe/London", "America/New_York", "Asia/Kolkata", "UTC"} <= set(zones)
    assert not {"Factory", "localtime", "GB-Eire", "GB", "US/Pacific", "Etc/GMT+5"} & set(zones)
    regions = dict(time_zone_choices())
    assert ("Europe/London", "Europe/London") in regions["Europe"]
    assert ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos Aires") in regions["America"]


def test_the_embargo_zone_picker_offers_the_site_zone_first(newsroom, admin_client):
    from presscentre.newsroom.models import PressCentreSettings

    site_settings = PressCentreSettings.for_site(newsroom.get_site())
    site_settings.time_zone = "Europe/Dublin"
    site_settings.save()

    html = admin_client.get(create_url(newsroom, PressReleasePage)).text
    picker = BeautifulSoup(html, "html.parser").select_one("#id_embargo_time_zone")
    groups = picker.select("optgroup")

    assert groups[0]["label"] == "Site time zone"
    assert [option["value"] for option in groups[0].select("option")] == ["Europe/Dublin"]
    assert picker.select_one("option[selected]")["value"] == "Europe/Dublin"
    assert len(picker.select('option[value="Europe/Dublin"]')) == 1
    assert not picker.select('option[value="GB-Eire"]')


def test_the_edit_screen_says_an_embargoed_item_is_live_but_embargoed(newsroom, admin_client):
    lifts_at = datetime(2031, 5, 24, 0, 1, tzinfo=UTC) - timedelta(hours=1)  # 00:01 BST
    release = PressReleaseFactory(parent=newsroom, embargo_until=lifts_at, published_at=lifts_at)

    html = admin_client.get(reverse("wagtailadmin_pages:edit", args=[release.pk])).text
    header = BeautifulSoup(html, "html.parser").select_one("header")

    assert release.status_string == "live, embargoed until 00:01 BST, Saturday 24 May 2031"
    assert "embargoed until 00:01 BST, Saturday 24 May 2031" in header.get_text(" ", strip=True)
    assert lifts_at > timezone.now()
