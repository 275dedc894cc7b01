import pytest
from django.contrib.auth.models import Group

from presscentre.distribution.tests.smtp import EphemeralPortController, RecordingHandler


def _serve(settings, handler):
    controller = EphemeralPortController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    return controller


@pytest.fixture
def smtp_server(settings):
    """A local SMTP server that accepts everything; Django's SMTP backend points at it."""
    handler = RecordingHandler()
    controller = _serve(settings, handler)
    yield handler
    controller.stop()


@pytest.fixture
def flaky_smtp_server(settings):
    """A local SMTP server that answers each address with two temporary failures (451) before accepting."""
    handler = RecordingHandler(refuse_first=2)
    controller = _serve(settings, handler)
    yield handler
    controller.stop()


@pytest.fixture(autouse=True)
def _quick_retries(settings):
    settings.PRESSCENTRE_DISTRIBUTION_RETRY_SECONDS = 0
    # One sending thread: the test's own transaction is invisible to other threads' connections.
    settings.PRESSCENTRE_DISTRIBUTION_CONNECTIONS = 1


@pytest.fixture
def press_officer(db, django_user_model, client):
    """A member of the Press officers group, signed in to the admin through `client`."""
    user = django_user_model.objects.create_user("press-officer", "officer@example.org", "officer-password")
    user.groups.add(Group.objects.get(name="Press officers"))
    client.force_login(user)
    return user
