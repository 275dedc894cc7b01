"""Sending is deliberate: the send button opens a confirmation screen, and only its Confirm button sends."""

import re
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.urls import reverse

from presscentre.distribution.models import BOUNCE_LIMIT, Delivery, Distribution
from presscentre.distribution.sending import count_recipients
from presscentre.distribution.tests.factories import MediaContactFactory, MediaListFactory
from presscentre.distribution.tests.helpers import confirm_and_send, confirmation_token
from presscentre.newsroom.tests.factories import CategoryFactory, PressReleaseFactory

# 09:30 GMT on a Friday in winter (London is on GMT), a moment after the tests' real "now".
EMBARGO = datetime(2031, 12, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def release(newsroom):
    return PressReleaseFactory(
        parent=newsroom,
        title="Winter fuel costs outpace support",
        embargo_until=EMBARGO,
        embargo_time_zone="Europe/London",
    )


@pytest.fixture
def distribution(release, press_officer):
    """A draft to a list and a topic whose contacts overlap, with some who must not be emailed."""
    economics = MediaListFactory(name="Economics correspondents")
    energy = CategoryFactory(name="Energy")
    for _ in range(3):
        MediaContactFactory(lists=[economics])
    MediaContactFactory(lists=[economics], topics=[energy])  # in both: counted once
    MediaContactFactory(topics=[energy])
    MediaContactFactory(lists=[economics], opted_out=True)
    MediaContactFactory(topics=[energy], bounce_count=BOUNCE_LIMIT)
    MediaContactFactory()  # in neither
    distribution = Distribution.objects.create(release=release, created_by=press_officer)
    distribution.lists.add(economics)
    distribution.topics.add(energy)
    return distribution


def send_url(distribution) -> str:
    return reverse("distributions:send", args=[distribution.pk])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_confirmation_names_the_release_lists_topics_recipients_and_embargo(client, distribution):
    screen = client.get(send_url(distribution), {"send_at": ""})

    assert screen.status_code == 200
    text = text_of(screen)
    assert "Release Winter fuel costs outpace support" in text
    assert "Media lists Economics correspondents" in text
    assert "Topics Energy" in text
    assert "Recipients 5 journalists (7 in the lists and topics; not emailed: 1 opted out, 1 with a bouncing" in text
    # Written as the email's subject writes it (the site's date style), not in the admin's.
    assert "Embargo Embargoed until 09:30 GMT, Friday 5th December 2031" in text
    assert "Confirm: send to 5 journalists" in text


def test_a_release_without_an_embargo_is_for_immediate_release(client, newsroom, distribution):
    distribution.release = PressReleaseFactory(parent=newsroom, title="Open figures")
    distribution.save()

    text = text_of(client.get(send_url(distribution)))

    assert "Embargo For immediate release" in text


def test_the_number_confirmed_is_the_number_the_sending_queues(
    client, distribution, django_capture_on_commit_callbacks
):
    screen = client.get(send_url(distribution))
    shown = int(re.search(r"Recipients (\d+) journalists", text_of(screen))[1])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            send_url(distribution), {"send_at": "", "confirmation": confirmation_token(screen.content.decode())}
        )

    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.SENT
    assert shown == count_recipients(distribution).reachable == 5
    assert distribution.deliveries.filter(status=Delivery.Status.SENT).count() == shown
    assert len(mail.outbox) == shown
    assert distribution.deliveries.filter(status=Delivery.Status.SKIPPED).count() == 2


def test_opening_the_confirmation_screen_sends_and_schedules_nothing(client, distribution):
    for send_at in ("", "2031-12-04T18:00"):
        assert client.get(send_url(distribution), {"send_at": send_at}).status_code == 200

    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.DRAFT
    assert not distribution.deliveries.exists()
    assert mail.outbox == []


def test_a_post_without_the_confirmation_screens_summary_only_shows_the_screen(client, distribution):
    for data in ({"send_at": ""}, {"send_at": "", "confirmation": "forged"}):
        response = client.post(send_url(distribution), data)
        assert response.status_code == 200
        assert "Check before sending" in response.content.decode()

    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.DRAFT
    assert mail.outbox == []


def test_confirming_a_time_schedules_the_send_for_it(client, distribution):
    response = confirm_and_send(client, distribution, send_at="2031-12-04T18:00", follow=True)

    assert "Scheduled." in response.content.decode()
    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.SCHEDULED
    assert distribution.send_at == datetime(2031, 12, 4, 23, 0, tzinfo=UTC)  # 18:00 in the tests' New York zone
    assert mail.outbox == []


def test_a_change_after_the_screen_was_shown_asks_for_confirmation_again(client, distribution):
    screen = client.get(send_url(distribution))
    MediaContactFactory(lists=[distribution.lists.get()])  # one more journalist since the screen was shown

    response = client.post(
        send_url(distribution), {"send_at": "", "confirmation": confirmation_token(screen.content.decode())}
    )

    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.DRAFT
    text = text_of(response)
    assert "has changed since it was shown" in text
    assert "Confirm: send to 6 journalists" in text


def test_with_nobody_to_email_the_screen_says_so_and_offers_no_confirm(client, newsroom, release, press_officer):
    media_list = MediaListFactory(name="Former correspondents")
    MediaContactFactory(lists=[media_list], opted_out=True)
    MediaContactFactory(lists=[media_list], bounce_count=BOUNCE_LIMIT)
    distribution = Distribution.objects.create(release=release, created_by=press_officer)
    distribution.lists.add(media_list)

    screen = client.get(send_url(distribution))

    text = text_of(screen)
    assert "Recipients 0 journalists" in text
    assert "Nobody would receive it: all 2 contacts in the chosen lists and topics have opted out" in text
    assert 'name="confirmation"' not in screen.content.decode()
    assert not re.search(r"<button[^>]*>[^<]*Confirm", screen.content.decode())
    refused = client.post(send_url(distribution), {"send_at": "", "confirmation": "anything"})
    assert "Nobody would receive it" in refused.content.decode()
    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.DRAFT


def test_back_returns_to_the_distribution_with_the_chosen_time_kept(client, distribution):
    screen = client.get(send_url(distribution), {"send_at": "2031-12-04T18:00"})
    back = re.search(r'href="([^"]+)"[^>]*>Back<', screen.content.decode())[1].replace("&amp;", "&")

    detail = client.get(back)

    assert detail.status_code == 200
    assert 'value="2031-12-04T18:00"' in detail.content.decode()


def test_a_time_in_the_past_is_refused_with_one_message_and_kept(client, distribution):
    response = client.get(send_url(distribution), {"send_at": "2020-01-01T09:00"}, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a time in the future" in html
    assert 'value="2020-01-01T09:00"' in html
    distribution.refresh_from_db()
    assert distribution.status == Distribution.Status.DRAFT


def test_the_detail_pages_send_button_opens_the_confirmation_screen(client, distribution):
    html = client.get(reverse("distributions:detail", args=[distribution.pk])).content.decode()

    form = re.search(r'<form method="(\w+)" action="([^"]+)">\s*(?:<[^>]+>\s*)*', html[html.index("<h2>Send</h2>") :])
    assert form[1] == "get" and form[2] == send_url(distribution)
