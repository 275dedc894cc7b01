import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

# The distribution tests' real SMTP server (aiosmtpd, started for the test; Django's SMTP backend points at it).
from presscentre.distribution.tests.conftest import smtp_server  # noqa: F401
from presscentre.pagecache.tests.wsgi_client import WSGIClient


@pytest.fixture
def page_cache(settings, db):
    """The WSGI stack a server runs, with the page cache on (see the page cache tests' own fixture)."""
    settings.PRESSCENTRE_PAGE_CACHE = True
    settings.PRESSCENTRE_PAGE_CACHE_SECONDS = 600
    settings.PRESSCENTRE_PAGE_CACHE_BROWSER_SECONDS = 60
    cache.clear()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIClient()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    cache.clear()
