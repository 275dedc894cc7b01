"""The WSGI page cache, driven with environ dicts as a server would: hits, headers, 304s and every bypass."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from presscentre.pagecache import services
from presscentre.pagecache.tests import urls as test_urls
from presscentre.pagecache.tests.wsgi_client import WSGIClient


@pytest.fixture
def traits(settings, wsgi):
    """The page cache in front of the one-trait views, counting how often Django ran each."""
    settings.ROOT_URLCONF = "presscentre.pagecache.tests.urls"
    test_urls.CALLS["count"] = 0
    return wsgi


def calls() -> int:
    return test_urls.CALLS["count"]


def test_second_request_is_served_from_the_cache_without_running_django(traits):
    first = traits.get("/plain/")
    second = traits.get("/plain/")

    assert (first.cache_state, second.cache_state) == ("miss", "hit")
    assert calls() == 1
    assert second.content == first.content == b"plain page "
    assert second["Content-Length"] == str(len(first.content))


def test_query_string_and_host_are_part_of_the_key(traits):
    traits.get("/plain/?n=1")

    assert traits.get("/plain/?n=2").content == b"plain page 2"
    assert traits.get("/plain/?n=1").cache_state == "hit"
    assert traits.get("/plain/?n=1", HTTP_HOST="localhost").cache_state == "miss"
    assert calls() == 3


def test_cached_response_keeps_the_security_headers_and_drops_the_internal_label(traits):
    traits.get("/plain/")
    hit = traits.get("/plain/")

    assert hit["X-Content-Type-Options"] == "nosniff"
    assert hit["X-Frame-Options"] == "DENY"
    assert services.STORE_HEADER not in hit
    assert hit["Cache-Control"] == "public, max-age=60, s-maxage=600"


def test_lifetimes_come_from_the_settings(traits, settings):
    settings.PRESSCENTRE_PAGE_CACHE_SECONDS = 120
    settings.PRESSCENTRE_PAGE_CACHE_BROWSER_SECONDS = 5

    assert traits.get("/plain/")["Cache-Control"] == "public, max-age=5, s-maxage=120"


def test_if_none_match_gets_a_304_on_a_hit_and_on_a_miss(traits):
    first = traits.get("/plain/")

    hit = traits.get("/plain/", HTTP_IF_NONE_MATCH=first["ETag"])
    services.purge_site()
    miss = traits.get("/plain/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert (hit.status_code, hit.cache_state, hit.content) == (304, "hit", b"")
    assert (miss.status_code, miss.cache_state) == (304, "miss")
    assert traits.get("/plain/", HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_if_modified_since_gets_a_304_until_the_page_changes(traits):
    first = traits.get("/plain/")

    assert traits.get("/plain/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert traits.get("/plain/", HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT").status_code == 200


def test_head_is_answered_from_a_cached_get_without_a_body(traits):
    get = traits.get("/plain/")
    head = traits.head("/plain/")

    assert (head.status_code, head.cache_state, head.content) == (200, "hit", b"")
    assert head["Content-Length"] == str(len(get.content))


def test_permanent_redirect_is_cached_and_a_temporary_one_is_not(traits):
    traits.get("/moved/")
    traits.get("/found/")

    moved, found = traits.get("/moved/"), traits.get("/found/")

    assert (moved.status_code, moved.cache_state, moved["Location"]) == (301, "hit", "/plain/")
    assert (found.status_code, found.cache_state) == (302, None)


def test_switched_off_by_the_setting(traits, settings):
    settings.PRESSCENTRE_PAGE_CACHE = False
    traits.get("/plain/")

    assert traits.get("/plain/").cache_state is None
    assert calls() == 2


# Bypasses: requests


@pytest.mark.parametrize("cookie", ["sessionid=abc", "presscentre_comments=1:sig", "other=1; sessionid=abc"])
def test_a_session_or_held_comment_cookie_never_gets_the_shared_copy(traits, cookie):
    traits.get("/plain/")

    response = traits.get("/plain/", cookies=cookie)

    assert response.cache_state is None
    assert calls() == 2


def test_an_unrelated_cookie_still_gets_the_shared_copy(traits):
    traits.get("/plain/")

    assert traits.get("/plain/", cookies="csrftoken=abc").cache_state == "hit"


def test_a_request_with_credentials_bypasses(traits):
    traits.get("/plain/")

    assert traits.get("/plain/", HTTP_AUTHORIZATION="Basic eDp5").cache_state is None


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
def test_other_methods_bypass_and_are_never_stored(traits, method):
    traits.request("/plain/", method=method)
    traits.request("/plain/", method=method)

    assert calls() == 2
    assert traits.get("/plain/").cache_state == "miss"


@pytest.mark.parametrize("path", ["/admin/plain/", "/embargoed/plain/", "/healthz"])
def test_admin_journalist_links_and_health_checks_are_never_cached(traits, path):
    first = traits.get(path)
    second = traits.get(path)

    assert first.status_code == 200
    assert (first.cache_state, second.cache_state) == (None, None)
    assert calls() == 2


# Bypasses: responses


@pytest.mark.parametrize(
    "path",
    [
        "/sets-cookie/",
        "/private/",
        "/no-store/",
        "/not-found/",
        "/server-error/",
        "/varies-on-language/",
    ],
)
def test_responses_that_may_not_be_shared_are_never_stored(traits, path):
    first = traits.get(path)
    second = traits.get(path)

    assert first.cache_state is None and second.cache_state is None
    assert calls() == 2
    assert "public" not in first.get("Cache-Control", "")


def test_a_404_tells_every_cache_not_to_keep_it(traits):
    response = traits.get("/not-found/")

    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_vary_cookie_is_stored_only_when_the_request_had_no_cookie(traits):
    with_cookie = traits.get("/varies-on-cookie/", cookies="theme=dark")
    assert traits.get("/varies-on-cookie/", cookies="theme=dark").cache_state is None

    without = traits.get("/varies-on-cookie/")

    assert with_cookie.cache_state is None and without.cache_state == "miss"
    assert traits.get("/varies-on-cookie/").content == b"cookies: []"


def test_a_hit_runs_no_database_query(wsgi, newsroom):
    wsgi.get("/")

    with CaptureQueriesContext(connection) as queries:
        hit = wsgi.get("/")

    assert hit.cache_state == "hit"
    assert len(queries) == 0


def test_an_unreachable_cache_falls_back_to_the_application(traits, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(type(caches["default"]), "get_many", broken)

    response = traits.get("/plain/")

    assert (response.status_code, response.cache_state) == (200, None)


def test_two_application_instances_share_one_cache(traits):
    WSGIClient().get("/plain/")

    assert WSGIClient().get("/plain/").cache_state == "hit"


@pytest.mark.parametrize("url", ["/", "/feed/", "/sitemap.xml", "/news-sitemap.xml", "/robots.txt", "/search/?q=x"])
def test_listings_feeds_sitemaps_robots_and_search_are_cached(wsgi, newsroom, url):
    wsgi.get(url)

    assert wsgi.get(url).cache_state == "hit"


def test_search_results_are_kept_for_a_shorter_time(wsgi, newsroom, settings):
    settings.PRESSCENTRE_PAGE_CACHE_SEARCH_SECONDS = 30

    assert wsgi.get("/search/?q=x")["Cache-Control"] == "public, max-age=30, s-maxage=30"


def test_the_api_which_varies_on_accept_is_not_cached(wsgi, newsroom):
    wsgi.get("/api/v2/pages/")

    assert wsgi.get("/api/v2/pages/").cache_state is None


def writing_application(label: str | None):
    """A WSGI application that sends part of its body through WSGI's legacy write() callable."""

    def application(environ, start_response):
        headers = [("Content-Type", "text/plain")]
        if label is not None:
            headers.append((services.STORE_HEADER, label))
        write = start_response("200 OK", headers)
        write(b"written ")
        return [b"returned"]

    return application


@pytest.mark.parametrize("label", ['{"group": "item", "ttl": 60}', None], ids=["stored", "not stored"])
def test_a_body_sent_through_write_is_kept_whole(db, label):
    from presscentre.pagecache.wsgi import PageCacheApplication

    client = WSGIClient(PageCacheApplication(writing_application(label)))
    first, second = client.get("/written/"), client.get("/written/")

    assert first.content == second.content == b"written returned"
    assert (first.cache_state, second.cache_state) == (("miss", "hit") if label else (None, None))
