"""The test email a press officer sends themselves: its unsubscribe link is real, or it says why there is none."""

import html
import re

import pytest
from django.core import mail
from django.urls import reverse

from presscentre.distribution.models import Distribution, MediaContact
from presscentre.distribution.release_email import UNSUBSCRIBE_MARKER
from presscentre.distribution.tests.factories import MediaContactFactory, MediaListFactory
from presscentre.distribution.tests.helpers import embargoed_release


@pytest.fixture
def draft_distribution(newsroom, press_officer):
    distribution = Distribution.objects.create(release=embargoed_release(newsroom), created_by=press_officer)
    distribution.lists.add(MediaListFactory())
    return distribution


def test_a_test_to_an_address_that_is_a_contact_carries_that_contacts_working_unsubscribe_link(
    client, press_officer, draft_distribution
):
    contact = MediaContactFactory(email=press_officer.email.upper())  # the same address, whatever its case

    client.post(reverse("distributions:test", args=[draft_distribution.pk]))

    [message] = mail.outbox
    html = message.alternatives[0][0]
    link = re.search(r"(http://\S+/distribution/unsubscribe/[^/\s]+/)", message.body)[1]
    assert f'href="{link}"' in html
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert "each journalist's own unsubscribe link" not in message.body
    assert UNSUBSCRIBE_MARKER not in message.body + html

    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}").status_code == 200
    client.post(f"/{path}")
    contact.refresh_from_db()
    assert contact.opted_out


def test_a_test_to_an_address_that_is_not_a_contact_says_real_emails_carry_a_personal_link(
    client, press_officer, draft_distribution
):
    client.post(reverse("distributions:test", args=[draft_distribution.pk]))

    [message] = mail.outbox
    body_html = message.alternatives[0][0]
    for part in (message.body, body_html):
        part = html.unescape(" ".join(part.split()))
        assert "is not a media contact, so it has no unsubscribe link" in part
        assert "Each journalist's copy ends with a link that unsubscribes them alone." in part
        assert "/distribution/unsubscribe/" not in part
        assert "(each journalist's own unsubscribe link)" not in part
        assert UNSUBSCRIBE_MARKER not in part
    assert "List-Unsubscribe" not in message.extra_headers
    assert not MediaContact.objects.exists()
