"""Erasing IP addresses and user agents after the retention period: service, task and command."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from presscentre.comments.models import Comment
from presscentre.comments.privacy import erase_old_ip_addresses
from presscentre.comments.tasks import erase_old_ip_addresses_task
from presscentre.comments.tests.factories import CommentFactory
from presscentre.newsroom.tests.factories import ArticleFactory

NOW = datetime(2024, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def article(newsroom):
    return ArticleFactory(parent=newsroom)


def _ip_data(comment):
    comment.refresh_from_db()
    return comment.ip_address, comment.user_agent


def test_ip_data_is_erased_exactly_after_the_default_30_days(article):
    boundary = NOW - timedelta(days=30)
    older = CommentFactory(item=article, created_at=boundary - timedelta(seconds=1))
    at_boundary = CommentFactory(item=article, created_at=boundary)

    assert erase_old_ip_addresses(at=NOW) == 1

    assert _ip_data(older) == (None, "")
    assert _ip_data(at_boundary) == ("192.0.2.10", "Mozilla/5.0 (test)")
    assert Comment.objects.get(pk=older.pk).body == older.body


def test_retention_period_comes_from_the_setting(article, settings):
    settings.PRESSCENTRE_COMMENT_IP_RETENTION_DAYS = 7
    eight_days = CommentFactory(item=article, created_at=NOW - timedelta(days=8))
    six_days = CommentFactory(item=article, created_at=NOW - timedelta(days=6))

    erase_old_ip_addresses(at=NOW)

    assert _ip_data(eight_days) == (None, "")
    assert _ip_data(six_days) != (None, "")


def test_erasing_again_changes_nothing(article):
    CommentFactory(item=article, created_at=NOW - timedelta(days=40))

    assert erase_old_ip_addresses(at=NOW) == 1
    assert erase_old_ip_addresses(at=NOW) == 0


def test_command_dry_run_counts_without_erasing(article):
    old = CommentFactory(item=article, created_at=NOW - timedelta(days=31))
    out = StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("erase_comment_ip_addresses", "--dry-run", stdout=out)

    assert "would erase the IP address and user agent of 1 comment(s) older than 30 days" in out.getvalue()
    assert _ip_data(old) == ("192.0.2.10", "Mozilla/5.0 (test)")


def test_command_erases_old_ip_data(article):
    old = CommentFactory(item=article, created_at=NOW - timedelta(days=31))
    out = StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("erase_comment_ip_addresses", stdout=out)

    assert "erased the IP address and user agent of 1 comment(s)" in out.getvalue()
    assert _ip_data(old) == (None, "")


def test_command_refuses_a_silly_interval():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--every must be between"):
        call_command("erase_comment_ip_addresses", "--every", "1")


def test_task_erases_old_ip_data(article):
    old = CommentFactory(item=article, created_at=NOW - timedelta(days=31))

    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        result = erase_old_ip_addresses_task.enqueue()

    assert result.return_value == 1
    assert _ip_data(old) == (None, "")
