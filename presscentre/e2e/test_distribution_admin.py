"""A press officer sends an embargoed release to a media list, through the confirmation step."""

import re
import secrets

import pytest
from django.utils import timezone

from presscentre.e2e.admin_steps_distribution import send_distribution
from presscentre.e2e.pages import screenshot

pytestmark = pytest.mark.browser


def test_a_press_officer_checks_the_confirmation_and_sends_a_release_to_a_list(live_site, editor_page):
    from django.core import mail

    from presscentre.distribution.models import Delivery, Distribution, MediaContact, MediaList
    from presscentre.newsroom.dates import embargo_line
    from presscentre.newsroom.models import PressReleasePage

    now = timezone.now()
    release = PressReleasePage.objects.live().filter(embargo_until__gt=now).order_by("-published_at").first()
    assert release is not None, "the demo keeps one release under embargo"
    list_name = f"Economics correspondents {secrets.token_hex(3)}"
    media_list = MediaList.objects.create(name=list_name)
    for number, opted_out in enumerate([False, False, True]):
        contact = MediaContact.objects.create(
            name=f"Journalist {number}", email=f"e2e-{list_name[-6:]}-{number}@news.example.com", opted_out=opted_out
        )
        contact.lists.add(media_list)
    mail.outbox = []

    said = send_distribution(editor_page, release_title=release.title, list_name=list_name)

    assert said["release"] == release.title
    assert said["lists"] == list_name
    assert said["topics"] == "None"
    assert re.match(r"2 journalists \(3 in the lists and topics; not emailed: 1 opted out\)", said["recipients"])
    assert said["embargo"] == embargo_line(release, "sentence")
    assert said["when"] == "Now"

    distribution = Distribution.objects.get(lists=media_list)
    assert "Sending has started." in editor_page.locator(".messages").inner_text()
    editor_page.reload()
    assert "Status: Sent" in editor_page.get_by_text("Status:").inner_text()
    assert distribution.deliveries.filter(status=Delivery.Status.SENT).count() == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        distribution.deliveries.filter(status=Delivery.Status.SENT).values_list("email", flat=True)
    )
    screenshot(editor_page, "admin-distribution-sent")
