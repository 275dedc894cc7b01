"""Old WordPress addresses lead only to public pages: a draft, pending, scheduled, private or embargoed post's
`/?p=<id>` and permalink answer exactly as addresses that were never imported, naming nothing."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model

from presscentre.importers.models import ImportedPost
from presscentre.importers.services.run import import_wxr_file
from presscentre.newsroom.models import NewsItemPage
from presscentre.newsroom.tests.factories import PressReleaseFactory

FIXTURES = Path(__file__).parent / "fixtures"
AT = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
LIFT = datetime(2031, 5, 23, 23, 1, tzinfo=UTC)
# In site.xml: 11 is pending, 12 scheduled for 2099, 15 private (members only), 16 a password-protected draft.
NOT_PUBLIC = [11, 12, 15, 16]


def item(wp_post_id: int) -> NewsItemPage:
    return ImportedPost.objects.get(wp_post_id=wp_post_id).page.specific


@pytest.fixture
def imported(newsroom):
    import_wxr_file(FIXTURES / "site.xml", parent=newsroom, at=AT)


def answer(response) -> tuple[int, str | None]:
    return response.status_code, response.get("Location")


@pytest.mark.django_db
@pytest.mark.parametrize("post_id", NOT_PUBLIC)
def test_the_id_of_a_post_that_is_not_public_answers_as_an_id_never_imported(imported, client, post_id):
    hidden = item(post_id)
    assert Redirect.objects.filter(old_path=f"/?p={post_id}", redirect_page=hidden).exists()

    response = client.get(f"/?p={post_id}")

    assert answer(response) == answer(client.get("/?p=999999")) == (200, None)
    assert hidden.slug not in response.text


@pytest.mark.django_db
def test_the_old_permalink_of_a_scheduled_post_is_a_404_like_an_unknown_address(imported, client):
    scheduled = item(12)
    assert Redirect.objects.filter(old_path="/2099/01/coming-soon", redirect_page=scheduled).exists()

    response = client.get("/2099/01/coming-soon/")

    assert answer(response) == answer(client.get("/2099/01/never-was/")) == (404, None)
    assert scheduled.slug not in response.text


@pytest.mark.django_db
def test_a_post_redirects_once_it_is_published(imported, client, django_capture_on_commit_callbacks):
    scheduled = item(12)
    assert answer(client.get("/?p=12")) == (200, None)  # and kept by the page cache until a publish purges it
    scheduled.go_live_at = None
    with django_capture_on_commit_callbacks(execute=True):
        scheduled.save_revision().publish()

    by_id = client.get("/?p=12")
    by_permalink = client.get("/2099/01/coming-soon/")

    assert answer(by_id) == answer(by_permalink) == (301, scheduled.url)


@pytest.mark.django_db
def test_a_public_post_still_redirects(imported, client):
    assert answer(client.get("/?p=10")) == (301, item(10).url)


@pytest.mark.django_db
def test_the_old_addresses_of_an_embargoed_item_lead_to_it_only_from_the_lift(newsroom, client):
    release = PressReleaseFactory(parent=newsroom, slug="secret-merger", embargo_until=LIFT)
    Redirect.objects.create(old_path="/?p=77", redirect_page=release, is_permanent=True)
    Redirect.objects.create(old_path="/2031/05/secret-merger", redirect_page=release, is_permanent=True)

    with time_machine.travel(LIFT - timedelta(seconds=1), tick=False):
        before = [client.get("/?p=77"), client.get("/2031/05/secret-merger/")]
    with time_machine.travel(LIFT, tick=False):
        after = [client.get("/?p=77"), client.get("/2031/05/secret-merger/")]

    assert [answer(response) for response in before] == [(200, None), (404, None)]
    assert all(b"secret-merger" not in response.content for response in before)
    assert [answer(response) for response in after] == [(301, release.url), (301, release.url)]


@pytest.mark.django_db
@pytest.mark.parametrize("old_path", ["/?attachment_id=31", "/2024/03/plan-attachment"])
def test_an_old_attachment_address_leads_to_its_file_only_when_the_file_is_public(newsroom, client, old_path):
    document = get_document_model()(title="Merger plan")
    document.file.save("merger-plan.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    document.save()
    Redirect.objects.create(old_path=old_path, redirect_link=document.url, is_permanent=True)

    hidden = client.get(old_path + ("" if "?" in old_path else "/"))
    document.is_public = True
    document.save()
    shown = client.get(old_path + ("" if "?" in old_path else "/"))

    assert hidden.get("Location") is None and b"merger-plan" not in hidden.content
    assert answer(shown) == (301, document.url)
