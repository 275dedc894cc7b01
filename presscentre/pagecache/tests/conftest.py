import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from presscentre.pagecache.tests.wsgi_client import WSGIClient


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PRESSCENTRE_PAGE_CACHE = True
    settings.PRESSCENTRE_PAGE_CACHE_SECONDS = 600
    settings.PRESSCENTRE_PAGE_CACHE_BROWSER_SECONDS = 60
    settings.PRESSCENTRE_COMMENT_ALTCHA_MAX_NUMBER = 1000
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def wsgi(db):
    """The WSGI stack a server runs. Django's own handler would close the test's connection at the end of each
    request, as the test client's handler avoids doing, so the same signal handlers are set aside here."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIClient()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
