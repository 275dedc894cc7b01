from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import AnonymousUser

from presscentre.embargo.services import can_view, public_items
from presscentre.newsroom.tests.factories import ArticleFactory, PressReleaseFactory

LIFT = datetime(2030, 3, 2, 9, 0, tzinfo=UTC)


def test_release_appears_exactly_when_embargo_lifts(newsroom):
    release = PressReleaseFactory(parent=newsroom, embargo_until=LIFT)

    assert release.pk not in public_items(LIFT - timedelta(seconds=1)).values_list("pk", flat=True)
    assert release.pk in public_items(LIFT).values_list("pk", flat=True)


def test_object_check_agrees_with_the_queryset_on_both_sides_of_the_lift(newsroom):
    release = PressReleaseFactory(parent=newsroom, embargo_until=LIFT)

    assert not can_view(release, at=LIFT - timedelta(seconds=1), viewer=AnonymousUser())
    assert can_view(release, at=LIFT, viewer=AnonymousUser())
    assert can_view(release, at=LIFT, viewer=None)


def test_drafts_and_private_items_are_never_public(newsroom):
    draft = ArticleFactory(parent=newsroom, live=False)
    private = ArticleFactory(parent=newsroom)
    private.view_restrictions.create(restriction_type="password", password="secret")

    visible = set(public_items(LIFT).values_list("pk", flat=True))

    assert draft.pk not in visible
    assert private.pk not in visible
    assert not can_view(draft, at=LIFT)


def test_staff_see_embargoed_items_before_the_lift(newsroom, editor):
    release = PressReleaseFactory(parent=newsroom, embargo_until=LIFT)

    assert can_view(release, at=LIFT - timedelta(days=1), viewer=editor)
