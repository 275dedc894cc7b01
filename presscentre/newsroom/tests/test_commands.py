import io
import re
import wave
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Page, Revision, Site

from presscentre.embargo.services import public_items
from presscentre.newsroom.demo import WAGTAIL_WELCOME_TITLE
from presscentre.newsroom.models import (
    ArticlePage,
    Boilerplate,
    Category,
    DefaultPressContact,
    ItemCategory,
    ItemPerson,
    MediaAppearancePage,
    NewsItemPage,
    Person,
    PressCentrePage,
    PressCentreSettings,
    PressContact,
    PressReleasePage,
    ReportDocument,
    ReportPage,
)

EIGHTEEN_MONTHS = timedelta(days=548)


def load_demo_data(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo_data", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_output(db):
    """The demo content, loaded once into an empty database; the command's output."""
    return load_demo_data()


def read_document(document) -> bytes:
    with document.open_file() as handle:
        return handle.read()


def test_loading_publishes_forty_complete_items_of_every_type_across_eighteen_months(demo_output):
    items = list(public_items(timezone.now()).specific().prefetch_related("category_links", "person_links"))

    assert len(items) >= 40
    assert {type(item) for item in items} == {PressReleasePage, ArticlePage, ReportPage, MediaAppearancePage}
    dates = [item.published_at for item in items]
    assert max(dates) - min(dates) >= EIGHTEEN_MONTHS
    assert timezone.now() - max(dates) < timedelta(days=14)
    assert len({item.title for item in items}) == len(items)
    block_types = set()
    for item in items:
        assert item.live and item.live_revision_id, item.title
        assert item.summary == "" and item.excerpt.endswith("..."), item.title
        assert item.category_links.all() and item.person_links.all(), item.title
        block_types.update(block["type"] for block in item.body.raw_data)
    assert {"paragraph", "heading", "quote"} <= block_types

    releases = PressReleasePage.objects.live()
    assert all(r.subheadline and r.dateline_place == "LONDON" and r.lead and r.notes_to_editors for r in releases)
    assert any(r.embargo_until for r in releases)
    reports = ReportPage.objects.live()
    assert all(r.report_title and r.report_summary and len(r.key_findings) >= 3 for r in reports)
    appearances = MediaAppearancePage.objects.live()
    assert all(a.outlet and a.broadcast_at for a in appearances)
    articles = ArticlePage.objects.live()
    from_outlets = [a for a in articles if a.original_outlet]
    assert from_outlets and all(".example.com/" in a.original_url and a.first_published_on for a in from_outlets)
    assert any(a.rights == ArticlePage.Rights.EXCERPT for a in articles)

    assert articles.filter(comments_open=True).exists()
    assert articles.filter(comments_open=False).exists()
    assert not NewsItemPage.objects.live().not_type(ArticlePage).filter(comments_open=True).exists()


def test_the_institute_becomes_the_default_sites_press_centre(demo_output, client, settings):
    settings.PRESSCENTRE_ITEMS_PER_PAGE = 20
    index = PressCentrePage.objects.get(slug="press-centre")
    people = Person.objects.prefetch_related("topics")
    contacts = PressContact.objects.all()
    site = Site.objects.get(is_default_site=True)
    site_settings = PressCentreSettings.for_site(site)

    html = client.get("/").content.decode()

    assert people.count() == 6
    assert all(person.role and person.bio and person.slug and person.topics.all() for person in people)
    assert {person.available_for_comment for person in people} == {True, False}
    assert Category.objects.count() == 6
    assert contacts.count() == 4
    assert all(contact.phone and contact.out_of_hours_phone and contact.email for contact in contacts)
    # Two press office contacts every release falls back on, and one contact for each of two beats.
    assert sorted(contact.topic.slug for contact in contacts if contact.topic) == ["economy", "housing"]
    assert site_settings.organisation_name == "The Ashcombe Institute"
    assert site_settings.default_boilerplate == Boilerplate.objects.get()
    assert site_settings.default_contacts() == list(contacts.filter(topic__isnull=True).order_by("pk"))
    assert site.root_page_id == index.pk
    assert not Page.objects.filter(title=WAGTAIL_WELCOME_TITLE).exists()
    assert html.count('<article class="entry ') == 20
    assert public_items(timezone.now()).newest_first().first().title in html
    upcoming = PressReleasePage.objects.get(embargo_until__gt=timezone.now())
    assert upcoming.live and upcoming.title not in html


def test_a_report_pdf_and_an_appearance_recording_are_real_files_that_download(demo_output, client):
    pdf = ReportPage.objects.live().filter(document_links__isnull=False).first().documents[0]
    appearance = MediaAppearancePage.objects.live().filter(recording__isnull=False).first()
    recording = appearance.recording

    pdf_data = read_document(pdf)
    assert pdf.filename.endswith(".pdf") and pdf.file_size == len(pdf_data)
    assert pdf_data.startswith(b"%PDF-") and pdf_data.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf_data)) >= 3
    assert recording.filename.endswith(".wav") and appearance.recording_kind == "audio"
    with wave.open(io.BytesIO(read_document(recording))) as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        assert audio.getnframes() > 0
        assert 5 <= audio.getnframes() / audio.getframerate() <= 10

    pdf_response = client.get(pdf.url)
    assert pdf_response.status_code == 200
    assert pdf_response["Content-Type"] == "application/pdf"
    assert b"".join(pdf_response.streaming_content) == pdf_data
    audio_response = client.get(recording.url)
    assert audio_response.status_code == 200
    assert audio_response["Content-Type"].startswith("audio/")
    assert b"".join(audio_response.streaming_content).startswith(b"RIFF")


def test_the_printed_admin_login_works_and_loading_again_changes_nothing(db, client, settings):
    models = [
        Page,
        Revision,
        Site,
        get_document_model(),
        Person,
        Category,
        PressContact,
        Boilerplate,
        DefaultPressContact,
        ItemCategory,
        ItemPerson,
        ReportDocument,
        get_user_model(),
    ]
    first_output = load_demo_data()
    admin_line = f"Admin: {settings.WAGTAILADMIN_BASE_URL}/admin/  username: admin  password: presscentre-demo"
    assert admin_line in first_output
    assert client.login(username="admin", password="presscentre-demo")
    assert client.get("/admin/").status_code == 200
    counts = {model.__name__: model.objects.count() for model in models}
    files = set(get_document_model().objects.values_list("file", "file_hash"))

    output = load_demo_data()

    assert {model.__name__: model.objects.count() for model in models} == counts
    assert set(get_document_model().objects.values_list("file", "file_hash")) == files
    assert set(re.findall(r"(\d+) created", output)) == {"0"}
    assert admin_line in output  # every run prints the sign-in while it works
    client.logout()
    assert client.login(username="admin", password="presscentre-demo")
    user = get_user_model().objects.get(username="admin")
    user.set_password("my-own-password")
    user.save()
    assert "password: (changed since the demo created this user)" in load_demo_data()


def test_admin_username_and_password_come_from_the_option_and_the_environment(db, client, monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "from-the-environment")

    output = load_demo_data("--admin-username", "press-office")

    assert "username: press-office  password: from-the-environment" in output
    assert client.login(username="press-office", password="from-the-environment")


def test_the_demo_embargo_can_be_moved_to_watch_a_lift(db, client, django_capture_on_commit_callbacks):
    import time_machine
    from django.core import mail

    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        output = io.StringIO()
        call_command("load_demo_data", embargo_in=30, stdout=output)
    release = PressReleasePage.objects.get(embargo_lifted_at__isnull=True, embargo_until__gt=start)
    assert release.embargo_until == start + timedelta(seconds=30)
    assert f"{release.url} is a 404 until then, and public from that second on." in output.getvalue()

    with time_machine.travel(release.embargo_until - timedelta(seconds=1), tick=False):
        assert client.get(release.url).status_code == 404
    with time_machine.travel(release.embargo_until, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert client.get(release.url).status_code == 200
    assert [message.subject for message in mail.outbox] == [f"{release.title} is live"]
    assert mail.outbox[0].to == ["press@ashcombe.example.org"]


def test_the_demo_embargo_can_be_moved_again_after_it_lifted(db, client, django_capture_on_commit_callbacks):
    import time_machine
    from django.core import mail

    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        call_command("load_demo_data", embargo_in=30, stdout=io.StringIO())
    release = PressReleasePage.objects.get(embargo_lifted_at__isnull=True, embargo_until__gt=start)
    with time_machine.travel(release.embargo_until, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert client.get(release.url).status_code == 200
    release.refresh_from_db()
    assert release.embargo_lifted_at is not None

    again = release.embargo_until + timedelta(minutes=5)
    with time_machine.travel(again, tick=False):
        output = io.StringIO()
        call_command("load_demo_data", embargo_in=60, stdout=output)
    release.refresh_from_db()
    assert release.embargo_until == again + timedelta(seconds=60)
    assert release.embargo_lifted_at is None
    assert "is a 404 until then" in output.getvalue()
    with time_machine.travel(again + timedelta(seconds=59), tick=False):
        assert client.get(release.url).status_code == 404
    with (
        time_machine.travel(again + timedelta(seconds=60), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert client.get(release.url).status_code == 200
    assert [message.subject for message in mail.outbox] == [f"{release.title} is live"] * 2


def test_the_demo_embargo_refuses_a_silly_delay(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--embargo-in must be between 10 and 86400 seconds."):
        call_command("load_demo_data", embargo_in=5, stdout=io.StringIO())


def test_the_demos_past_embargoes_count_as_lifted(demo_output):
    from presscentre.embargo.services import due_for_lift

    assert not due_for_lift(timezone.now()).exists()
    assert NewsItemPage.objects.filter(embargo_lifted_at__isnull=False).count() >= 2


def test_the_demos_newest_release_is_in_the_news_sitemap(demo_output, client):
    response = client.get("/news-sitemap.xml")

    assert response.status_code == 200
    assert b"energy-bills-fairer-way-to-share-cost-of-net-zero" in response.content
