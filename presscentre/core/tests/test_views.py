import pytest
from django.http import Http404

from presscentre.core.pagination import page_or_404


def test_health_check_reports_database_and_cache(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_check_answers_only_safe_methods(client, db):
    assert client.post("/healthz").status_code == 405


@pytest.mark.parametrize(("param", "number"), [(None, 1), ("", 1), ("2", 2), ("x", 1), ("3", 3)])
def test_page_numbers(param, number):
    assert page_or_404(list(range(25)), param, per_page=10).number == number


@pytest.mark.parametrize("param", ["0", "-1", "4", "99999"])
def test_out_of_range_page_numbers_are_404(param):
    with pytest.raises(Http404):
        page_or_404(list(range(25)), param, per_page=10)


def test_an_empty_list_still_has_a_first_page():
    assert list(page_or_404([], None, per_page=10)) == []


def test_a_404_is_never_cached(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]


def test_the_site_works_with_redis_as_the_shared_cache(client, db, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/14"}
    }

    response = client.get("/healthz")

    assert response.json()["cache"] == "ok"
