import pytest
from django.urls import reverse
from wagtail.models import Site
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from presscentre.newsroom.models import ArticlePage, MediaAppearancePage, PressReleasePage, ReportPage
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    MediaAppearanceFactory,
    PressContactFactory,
    PressReleaseFactory,
    ReportFactory,
)


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


@pytest.mark.parametrize("model", [PressReleasePage, ArticlePage, ReportPage, MediaAppearancePage])
def test_editors_can_open_the_create_form_for_each_type(newsroom, admin_client, model):
    url = reverse("wagtailadmin_pages:add", args=["newsroom", model._meta.model_name, newsroom.pk])

    assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("factory", [PressReleaseFactory, ArticleFactory, ReportFactory, MediaAppearanceFactory])
def test_editors_can_open_the_edit_form_for_each_type(newsroom, admin_client, factory):
    item = factory(parent=newsroom)

    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[item.pk]))

    assert response.status_code == 200


def test_an_editor_publishes_a_press_release_through_the_admin(newsroom, admin_client, reader):
    economy = CategoryFactory(name="Economy")
    contact = PressContactFactory(name="Mo Khan")
    url = reverse("wagtailadmin_pages:add", args=["newsroom", "pressreleasepage", newsroom.pk])
    data = nested_form_data(
        {
            "title": "Rents outpace wages again",
            "slug": "rents-outpace-wages",
            "subheadline": "Third year running",
            "published_at": "2025-02-03 09:30",
            "embargo_until": "",
            "embargo_time_zone": "Europe/London",
            "dateline_place": "Leeds",
            "lead": "Rents rose faster than pay.",
            "summary": "",
            "category_links": inline_formset([{"category": economy.pk}]),
            "person_links": inline_formset([]),
            "contact_links": inline_formset([{"contact": contact.pk}]),
            "media_assets": inline_formset([]),
            "body": streamfield([("paragraph", rich_text("<p>Rents are up.</p>"))]),
            "notes_to_editors": rich_text("<p>Data from the survey.</p>"),
            "boilerplate": "",
            "comments_open": "",
            "action-publish": "publish",
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    release = PressReleasePage.objects.get(slug="rents-outpace-wages")
    assert release.live
    assert release.comments_open is False
    assert [category.name for category in release.categories] == ["Economy"]
    page = reader.get(release.url)
    assert "LEEDS, 3rd February 2025" in page.text
    assert "Mo Khan" in page.text


def test_newsroom_snippets_and_settings_screens_open(newsroom, admin_client):
    site = Site.objects.get(is_default_site=True)
    for url in [
        reverse("wagtailsnippets_newsroom_category:list"),
        reverse("wagtailsnippets_newsroom_person:list"),
        reverse("wagtailsnippets_newsroom_presscontact:list"),
        reverse("wagtailsnippets_newsroom_boilerplate:list"),
        reverse("wagtailsettings:edit", args=["newsroom", "presscentresettings", site.pk]),
    ]:
        assert admin_client.get(url).status_code == 200, url
