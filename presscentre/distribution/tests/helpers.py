"""Shared set-up for the sending tests: an embargoed release, a list of journalists, a scheduled distribution."""

from datetime import UTC, datetime, timedelta

from presscentre.distribution.models import Distribution
from presscentre.distribution.tests.factories import MediaContactFactory, MediaListFactory
from presscentre.newsroom.tests.factories import PressReleaseFactory

EMBARGO = datetime(2031, 5, 24, 23, 1, tzinfo=UTC)
SEND_AT = EMBARGO - timedelta(hours=12)


def fixed_clock(at: datetime = SEND_AT):
    return lambda: at


def embargoed_release(newsroom, **kwargs):
    return PressReleaseFactory(
        parent=newsroom, title="Households worse off than forecast", embargo_until=EMBARGO, **kwargs
    )


def journalists(count: int, *, media_list=None, **kwargs):
    media_list = media_list or MediaListFactory(name="Economics correspondents")
    return [MediaContactFactory(lists=[media_list], **kwargs) for _ in range(count)], media_list


def scheduled_distribution(release, media_list, *, by=None, at=SEND_AT) -> Distribution:
    distribution = Distribution.objects.create(
        release=release, status=Distribution.Status.SCHEDULED, send_at=at, created_by=by
    )
    distribution.lists.add(media_list)
    return distribution


def confirmation_token(html: str) -> str:
    """The signed summary the confirmation screen's form carries."""
    import re

    found = re.search(r'name="confirmation" value="([^"]+)"', html)
    assert found, "the confirmation screen offers no Confirm button"
    return found[1]


def confirm_and_send(client, distribution: Distribution, *, send_at: str = "", follow: bool = False):
    """What the press officer does: open the confirmation screen from the send button, then press Confirm."""
    from django.urls import reverse

    url = reverse("distributions:send", args=[distribution.pk])
    screen = client.get(url, {"send_at": send_at})
    token = confirmation_token(screen.content.decode())
    return client.post(url, {"send_at": send_at, "confirmation": token}, follow=follow)
