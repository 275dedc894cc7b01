"""The admin screens, driven through the real views by a member of the Press officers group."""

import re

from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from presscentre.distribution.models import Delivery, Distribution, MediaContact
from presscentre.distribution.tests.factories import MediaContactFactory, MediaListFactory
from presscentre.distribution.tests.helpers import confirm_and_send, embargoed_release
from presscentre.embargo.models import AccessLogEntry


def test_press_officer_imports_contacts_after_a_preview_of_every_row(newsroom, client, press_officer):
    text = (
        "name,email,outlet\nAda Lovell,ada@ledger.example.com,The Ledger\nNo Address,<b>oops</b>,Nowhere\n"
        "Ada Again,ADA@ledger.example.com,\n"
    )
    upload = SimpleUploadedFile("contacts.csv", text.encode(), content_type="text/csv")

    preview = client.post(reverse("media_contacts:import"), {"file": upload})

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "&#x27;&lt;b&gt;oops&lt;/b&gt;&#x27; is not an email address." in html  # what was uploaded, escaped
    assert "Same email address as row 2" in html
    assert "Import 1 contacts" in html
    assert not MediaContact.objects.exists()
    csv_text = re.search(r'name="csv_text" value="([^"]*)"', html)[1]

    done = client.post(reverse("media_contacts:import"), {"csv_text": _unescape(csv_text)}, follow=True)

    assert "Imported 1 new contacts and updated 0; 2 rows were not imported." in done.content.decode()
    assert list(MediaContact.objects.values_list("email", flat=True)) == ["ada@ledger.example.com"]


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


def test_a_malformed_upload_shows_one_message_and_saves_nothing(newsroom, client, press_officer):
    upload = SimpleUploadedFile("contacts.csv", b"\xff\xfe\x00junk", content_type="text/csv")

    response = client.post(reverse("media_contacts:import"), {"file": upload})

    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()
    assert not MediaContact.objects.exists()


def test_contacts_export_as_csv(newsroom, client, press_officer):
    MediaContactFactory(email="ada@ledger.example.com")

    response = client.get(reverse("media_contacts:export"))

    assert response["Content-Type"].startswith("text/csv")
    assert "ada@ledger.example.com" in b"".join(response.streaming_content).decode()


def test_contact_and_list_screens_open(newsroom, client, press_officer):
    MediaContactFactory(lists=[MediaListFactory()])
    assert client.get(reverse("media_contacts:index")).status_code == 200
    assert client.get(reverse("media_contacts:add")).status_code == 200
    assert client.get(reverse("media_lists:index")).status_code == 200


def test_press_officer_sends_an_embargoed_release_to_a_list_with_one_link_each(
    newsroom, client, press_officer, django_capture_on_commit_callbacks
):
    release = embargoed_release(newsroom)
    media_list = MediaListFactory(name="Economics correspondents")
    contacts = [MediaContactFactory(lists=[media_list]) for _ in range(3)]
    MediaContactFactory(lists=[media_list], opted_out=True)

    created = client.post(reverse("distributions:add"), {"release": release.pk, "lists": [media_list.pk]})
    distribution = Distribution.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse("distributions:detail", args=[distribution.pk])
    detail = client.get(created["Location"])
    assert "EMBARGOED UNTIL" in detail.content.decode()
    assert client.get(reverse("distributions:preview_html", args=[distribution.pk])).status_code == 200

    client.post(reverse("distributions:test", args=[distribution.pk]))
    assert [message.to for message in mail.outbox] == [["officer@example.org"]]
    assert mail.outbox[0].subject.startswith("[Test] EMBARGOED UNTIL")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        confirm_and_send(client, distribution)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(contact.email for contact in contacts)
    links = {re.search(r"/embargoed/([\w-]+)/", message.body)[1] for message in mail.outbox}
    assert len(links) == 3
    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.SENT
    assert distribution.deliveries.filter(status=Delivery.Status.SKIPPED).count() == 1

    delivery = distribution.deliveries.filter(status=Delivery.Status.SENT).first()
    AccessLogEntry.objects.create(link=delivery.access_link, at=distribution.finished_at, kind="view")
    report = client.get(reverse("distributions:detail", args=[distribution.pk])).content.decode()
    assert "Who opened their personal link" in report
    assert delivery.email in report
    assert "4 of 4 done (100%)" in report


def test_sending_twice_is_refused_and_cancel_stops_a_scheduled_send(newsroom, client, press_officer):
    release = embargoed_release(newsroom)
    media_list = MediaListFactory()
    MediaContactFactory(lists=[media_list])
    distribution = Distribution.objects.create(release=release, created_by=press_officer)
    distribution.lists.add(media_list)

    confirm_and_send(client, distribution, send_at="2031-05-24T09:00")
    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.SCHEDULED
    again = client.get(reverse("distributions:send", args=[distribution.pk]), {"send_at": ""})
    assert "already scheduled" in again.content.decode()
    assert 'name="confirmation"' not in again.content.decode()

    client.post(reverse("distributions:cancel", args=[distribution.pk]))
    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.CANCELLED


def test_people_without_the_permission_cannot_send(newsroom, client, django_user_model):
    author = django_user_model.objects.create_user("fellow", "fellow@example.org", "fellow-password")
    author.groups.add(Group.objects.get(name="Authors"))
    client.force_login(author)
    distribution = Distribution.objects.create(release=embargoed_release(newsroom))

    response = client.post(reverse("distributions:send", args=[distribution.pk]))

    assert response.status_code in {302, 403}
    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.DRAFT


def test_only_a_published_release_can_be_chosen(newsroom, client, press_officer):
    release = embargoed_release(newsroom)
    release.unpublish()

    response = client.post(reverse("distributions:add"), {"release": release.pk, "lists": [MediaListFactory().pk]})

    assert response.status_code == 200
    assert "Choose a published release" in response.content.decode()
    assert not Distribution.objects.exists()


def test_resume_sends_what_a_dead_worker_left_and_nobody_twice(
    newsroom, client, press_officer, django_capture_on_commit_callbacks
):
    release = embargoed_release(newsroom)
    media_list = MediaListFactory()
    contacts = [MediaContactFactory(lists=[media_list]) for _ in range(3)]
    distribution = Distribution.objects.create(
        release=release, status=Distribution.Status.SENDING, send_at=release.embargo_until
    )
    distribution.lists.add(media_list)
    from presscentre.distribution.sending import create_deliveries

    create_deliveries(distribution, at=release.embargo_until)
    distribution.deliveries.filter(email=contacts[0].email).update(status=Delivery.Status.SENT)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("distributions:resume", args=[distribution.pk]))

    assert sorted(message.to[0] for message in mail.outbox) == sorted(c.email for c in contacts[1:])
    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.SENT


def test_the_media_lists_listing_counts_each_lists_contacts(newsroom, client, press_officer):
    economics = MediaListFactory(name="Economics correspondents")
    MediaListFactory(name="Nobody yet")
    for _ in range(3):
        MediaContactFactory(lists=[economics])

    html = client.get(reverse("media_lists:index")).content.decode()

    cells = dict(
        re.findall(r">\s*(Economics correspondents|Nobody yet)\s*</a>.*?<td[^>]*>\s*(\d+)\s*</td>", html, re.S)
    )
    assert cells == {"Economics correspondents": "3", "Nobody yet": "0"}
    fewest_first = client.get(reverse("media_lists:index"), {"ordering": "contact_count"}).content.decode()
    assert fewest_first.index("Nobody yet") < fewest_first.index("Economics correspondents")


def test_the_contacts_listing_says_yes_or_no_for_opted_out(newsroom, client, press_officer):
    MediaContactFactory(name="Ada Gone", opted_out=True)
    MediaContactFactory(name="Bo Here")

    html = client.get(reverse("media_contacts:index")).content.decode()

    rows = dict(re.findall(r"(Ada Gone|Bo Here)(.*?)</tr>", html, re.S))
    assert re.search(r"<td[^>]*>\s*Yes\s*</td>", rows["Ada Gone"])
    assert re.search(r"<td[^>]*>\s*No\s*</td>", rows["Bo Here"])
    assert "False" not in html and "True" not in html
