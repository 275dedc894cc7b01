"""The admin screen: upload an export, dry run or import it, see the summary; press officers and admins only."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from presscentre.comments.models import Comment
from presscentre.importers.models import ImportedPost
from presscentre.newsroom.models import ContentPage, NewsItemPage, PressReleasePage, ReportPage

FIXTURES = Path(__file__).parent / "fixtures"
URL = "/admin/import-wordpress/"


def member_of(django_user_model, group: str):
    user = django_user_model.objects.create_user(group.split()[0].lower(), password="pw")  # noqa: S106
    user.groups.add(Group.objects.get(name=group))
    return user


def upload(name="site.xml"):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/xml")


def post(client, newsroom, mode="import", name="site.xml", default_type="report"):
    return client.post(URL, {"file": upload(name), "mode": mode, "parent": newsroom.pk, "default_type": default_type})


@pytest.fixture
def press_officer(db, client, django_user_model):
    client.force_login(member_of(django_user_model, "Press officers"))
    return client


@pytest.mark.django_db
def test_url_is_named_and_menu_shows_it_to_press_officers(newsroom, press_officer):
    assert reverse("importers_import") == URL
    assert URL in press_officer.get("/admin/").content.decode()
    response = press_officer.get(URL)
    assert response.status_code == 200
    assert "Import from WordPress" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("group", ["Authors", "Moderators"])
def test_other_roles_get_no_menu_item_and_a_refusal(newsroom, client, django_user_model, group):
    client.force_login(member_of(django_user_model, group))
    assert URL not in client.get("/admin/").content.decode()
    # Wagtail turns the refusal into a redirect to the dashboard with a permission message.
    assert client.get(URL)["Location"] == "/admin/"
    assert post(client, newsroom)["Location"] == "/admin/"
    assert not NewsItemPage.objects.exists()


@pytest.mark.django_db
def test_dry_run_shows_the_summary_and_writes_nothing(newsroom, press_officer):
    response = post(press_officer, newsroom, mode="dry_run")
    html = response.content.decode()
    assert response.status_code == 200
    assert "site.xml (dry run: nothing written)" in html
    assert "<td>item</td><td>5</td><td>0</td><td>1</td>" in re.sub(r"\s+", "", html)
    assert "<td>page</td><td>1</td><td>0</td><td>0</td>" in re.sub(r"\s+", "", html)
    assert not NewsItemPage.objects.exists() and not Comment.objects.exists()


@pytest.mark.django_db
def test_import_creates_items_with_the_chosen_default_type(newsroom, press_officer):
    response = post(press_officer, newsroom, default_type="report")
    assert "site.xml: imported" in response.content.decode()
    assert ImportedPost.objects.count() == 6  # five posts and a page
    assert isinstance(ImportedPost.objects.get(wp_post_id=10).page.specific, PressReleasePage)
    assert isinstance(ImportedPost.objects.get(wp_post_id=15).page.specific, ReportPage)  # no category: the default
    assert isinstance(ImportedPost.objects.get(wp_post_id=14).page.specific, ContentPage)


@pytest.mark.django_db
def test_bad_file_gives_one_clear_message_and_imports_nothing(newsroom, press_officer):
    response = post(press_officer, newsroom, name="malformed.xml")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Refused, nothing imported: malformed.xml: line") == 1
    assert "tmp" not in html.split("Refused", 1)[1].split("</", 1)[0]  # the upload's own name, not a temporary one
    assert not NewsItemPage.objects.exists()


@pytest.mark.django_db
def test_large_upload_is_read_from_its_temporary_file(newsroom, press_officer, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temporary file, as a big export would
    response = post(press_officer, newsroom)
    assert response.status_code == 200
    assert ImportedPost.objects.count() == 6


@pytest.mark.django_db
def test_missing_file_is_a_field_error(newsroom, press_officer):
    response = press_officer.post(URL, {"mode": "import", "parent": newsroom.pk, "default_type": "article"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
