import pytest

from presscentre.distribution.tests.conftest import _serve
from presscentre.distribution.tests.smtp import RecordingHandler


@pytest.fixture
def smtp_server(settings):
    """A local SMTP server that accepts everything; Django's SMTP backend points at it."""
    handler = RecordingHandler()
    controller = _serve(settings, handler)
    yield handler
    controller.stop()
