"""Admin sign-in throttling (django-axes) through Wagtail's and Django's real login views."""

from datetime import UTC, datetime, timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client

STARTED = datetime(2030, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _limit(settings, time_machine):
    settings.AXES_FAILURE_LIMIT = 3
    time_machine.move_to(STARTED, tick=False)


def sign_in(client, password, *, username="editor", path="/admin/login/"):
    return client.post(path, {"username": username, "password": password})


def test_the_attempt_after_the_limit_is_refused_with_a_clear_message(editor, client):
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "wrong")
        assert response.status_code == 200
        assert "username and password" in response.content.decode()  # Wagtail's own error, form shown again
    refused = sign_in(client, "wrong")
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "Too many failed sign-in attempts" in text
    assert f"{int(django_settings.AXES_COOLOFF_TIME.total_seconds() // 60)} minutes" in text
    # Once locked, even the right password is refused, and nobody is signed in.
    assert sign_in(client, "editor-password").status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_username_and_address(editor, django_user_model, client):
    django_user_model.objects.create_superuser("colleague", "colleague@example.org", "colleague-password")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong")
    assert sign_in(client, "colleague-password", username="colleague").status_code == 302
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(elsewhere, "editor-password").status_code == 302


def test_sign_in_works_again_after_the_cool_off(editor, client, time_machine):
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong")
    assert sign_in(client, "editor-password").status_code == 429
    time_machine.move_to(STARTED + django_settings.AXES_COOLOFF_TIME + timedelta(seconds=1), tick=False)
    assert sign_in(client, "editor-password").status_code == 302


def test_a_successful_sign_in_resets_the_count(editor, client):
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong")
    assert sign_in(client, "editor-password").status_code == 302
    client.logout()
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "wrong").status_code == 200
    assert sign_in(client, "editor-password").status_code == 302


def test_django_admin_login_is_throttled_too(editor, client):
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong", path="/django-admin/login/")
    assert sign_in(client, "editor-password", path="/django-admin/login/").status_code == 429


def test_failed_attempts_keep_no_password(editor, client):
    sign_in(client, "my-secret-guess")
    attempt = AccessAttempt.objects.get()
    assert "my-secret-guess" not in attempt.post_data
    assert "my-secret-guess" not in attempt.get_data


def test_no_successful_sign_in_is_logged(editor, client):
    from axes.models import AccessLog

    assert sign_in(client, "editor-password").status_code == 302
    assert not AccessLog.objects.exists()


def test_test_helpers_still_sign_in(editor, client):
    assert client.login(username="editor", password="editor-password")
    other = Client()
    other.force_login(editor)
    assert other.get("/admin/").status_code == 200
