import pytest

# The distribution tests' real SMTP server (aiosmtpd, started for the test; Django's SMTP backend points at it).
from presscentre.distribution.tests.conftest import smtp_server  # noqa: F401


@pytest.fixture(autouse=True)
def _one_sending_thread(settings):
    # Other threads' connections cannot see the test's own transaction; retries wait for nothing.
    settings.PRESSCENTRE_DISTRIBUTION_CONNECTIONS = 1
    settings.PRESSCENTRE_DISTRIBUTION_RETRY_SECONDS = 0
