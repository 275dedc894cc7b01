"""Documents under the one visibility rule: a file is public only when a public item uses it in its published
content, or when staff mark it public on its own; every other file is a 404, however its address is guessed."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.documents.forms import get_document_form

from presscentre.embargo.services import can_download, create_access_link, link_document
from presscentre.newsroom.models import ReportDocument
from presscentre.newsroom.tests.factories import ArticleFactory, ReportFactory

LIFT = datetime(2031, 5, 23, 23, 1, tzinfo=UTC)
BEFORE = LIFT - timedelta(seconds=1)


def make_document(filename: str = "plan.pdf", **fields):
    document = get_document_model()(title=filename, **fields)
    document.file.save(filename, ContentFile(b"%PDF-1.4\n% secret plan\n%%EOF\n"), save=False)
    document.save()
    return document


def document_link(document) -> list[dict]:
    return [{"type": "paragraph", "value": f'<p>See <a linktype="document" id="{document.pk}">the plan</a>.</p>'}]


def fetch(client, url: str, *, at: datetime):
    with time_machine.travel(at, tick=False):
        return client.get(url)


def test_a_document_uploaded_but_not_attached_is_a_404_like_a_missing_one(newsroom, client):
    document = make_document()

    hidden = fetch(client, document.url, at=LIFT)
    missing = fetch(client, f"/documents/{document.pk + 1}/plan.pdf", at=LIFT)

    assert hidden.status_code == missing.status_code == 404
    assert re.sub(rb"\s+", b"", hidden.content) == re.sub(rb"\s+", b"", missing.content)
    assert not can_download(document, at=LIFT)


def test_a_document_attached_only_to_an_unpublished_item_is_a_404(newsroom, client):
    document = make_document()
    report = ReportFactory(parent=newsroom, live=False, body=document_link(document))
    ReportDocument.objects.create(report=report, document=document)

    assert fetch(client, document.url, at=LIFT).status_code == 404


def test_a_document_linked_only_in_a_draft_of_a_public_item_stays_private_until_the_draft_is_published(
    newsroom, client
):
    document = make_document()
    article = ArticleFactory(parent=newsroom)
    article.body = document_link(document)
    revision = article.save_revision()

    assert fetch(client, document.url, at=LIFT).status_code == 404
    assert not can_download(document, at=LIFT)

    revision.publish()

    assert fetch(client, document.url, at=LIFT).status_code == 200


def test_a_file_attached_only_in_a_draft_of_a_public_report_stays_private(newsroom, client):
    document = make_document()
    report = ReportFactory(parent=newsroom)
    report.document_links = [ReportDocument(document=document)]
    report.save_revision()

    assert not ReportDocument.objects.filter(document=document).exists()
    assert fetch(client, document.url, at=LIFT).status_code == 404


def test_a_document_used_by_a_public_item_is_public(newsroom, client):
    document = make_document()
    report = ReportFactory(parent=newsroom)
    ReportDocument.objects.create(report=report, document=document)

    response = fetch(client, document.url, at=LIFT)

    assert response.status_code == 200
    assert b"secret plan" in b"".join(response.streaming_content)


def test_a_document_of_an_embargoed_item_opens_exactly_at_the_lift(newsroom, client):
    document = make_document()
    ArticleFactory(parent=newsroom, embargo_until=LIFT, body=document_link(document))

    assert fetch(client, document.url, at=BEFORE).status_code == 404
    assert fetch(client, document.url, at=LIFT).status_code == 200


def test_a_document_staff_mark_public_on_its_own_is_public_without_any_item(newsroom, client):
    logo = make_document("logo.pdf", is_public=True)

    assert fetch(client, logo.url, at=BEFORE).status_code == 200


def test_staff_download_a_document_nobody_public_uses(newsroom, client, editor):
    document = make_document()

    with time_machine.travel(LIFT, tick=False):
        client.force_login(editor)
        response = client.get(document.url)

    assert response.status_code == 200


def test_the_document_form_offers_the_public_on_its_own_choice_unticked(newsroom, client, editor):
    document = make_document()
    form_class = get_document_form(get_document_model())

    client.force_login(editor)
    edit = client.get(f"/admin/documents/edit/{document.pk}/")

    assert "is_public" in form_class.base_fields
    assert edit.status_code == 200
    assert b'name="is_public"' in edit.content
    assert get_document_model()._meta.get_field("is_public").default is False


def test_an_uploaded_file_is_stored_under_a_random_directory_with_its_own_name(newsroom):
    first, second = make_document("annual-report.pdf"), make_document("annual-report.pdf")

    folder, random_part, name = first.file.name.split("/")
    assert (folder, name) == ("documents", "annual-report.pdf")
    assert len(random_part) >= 16
    assert second.file.name.split("/")[1] != random_part
    assert first.filename == "annual-report.pdf"


def test_a_journalist_link_downloads_a_file_of_its_embargoed_item_but_not_one_only_in_its_draft(
    newsroom, client, editor
):
    attached, drafted = make_document("attached.pdf"), make_document("drafted.pdf")
    report = ReportFactory(parent=newsroom, embargo_until=LIFT)
    ReportDocument.objects.create(report=report, document=attached)
    report.body = document_link(drafted)
    report.save_revision()
    link = create_access_link(report, name="Jane", email="jane@example.org", outlet="", by=editor, at=BEFORE)

    assert link_document(link, attached.pk, at=BEFORE) == attached
    assert link_document(link, drafted.pk, at=BEFORE) is None
    with time_machine.travel(BEFORE, tick=False):
        download = client.get(f"/embargoed/{link.token}/documents/{attached.pk}/")
        public = client.get(attached.url)
    assert download.status_code == 200
    assert public.status_code == 404


@pytest.mark.parametrize("public_on_its_own", [False, True])
def test_marking_a_document_public_on_its_own_is_the_only_way_an_unused_file_opens(newsroom, public_on_its_own):
    document = make_document(is_public=public_on_its_own)

    assert can_download(document, at=LIFT) is public_on_its_own
