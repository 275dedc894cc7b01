"""The embargo leak walk again, with every request going through the page cache."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from presscentre.embargo.services import create_access_link
from presscentre.embargo.tests import test_visibility as visibility
from presscentre.embargo.tests.test_visibility import LIFT, MACHINE_SURFACES, MARKER, crawl
from presscentre.pagecache.tests.wsgi_client import WSGIClient

# The embargo app's own walk: an embargoed report sharing a category and a person with public neighbours.
embargoed_report = visibility.embargoed_report


def test_nothing_embargoed_is_cached_or_served_from_the_cache_before_the_lift(
    embargoed_report, wsgi, editor, client, django_capture_on_commit_callbacks
):
    report, pdf = embargoed_report
    marker = MARKER.encode()

    with time_machine.travel(LIFT - timedelta(hours=1), tick=False):
        # Staff and a journalist read the item first: neither copy may reach anyone else.
        client.force_login(editor)
        session = f"sessionid={client.cookies['sessionid'].value}"
        staff = wsgi.get(report.url, cookies=session)
        link = create_access_link(
            report, name="Ann", email="ann@example.org", outlet="Ledger", by=editor, at=timezone.now()
        )
        journalist = wsgi.get(f"/embargoed/{link.token}/")
    assert staff.status_code == 200 and marker in staff.content and staff.cache_state is None
    assert journalist.cache_state is None

    with time_machine.travel(LIFT - timedelta(seconds=1), tick=False):
        first = crawl(wsgi, "/", *MACHINE_SURFACES)
        second = crawl(wsgi, "/", *MACHINE_SURFACES)
        direct = [wsgi.get(url) for url in (report.url, f"{report.url}?page=1", pdf.url, report.url)]

    assert len(first) >= 10 and set(first) == set(second)
    leaks = [url for url, (_, body) in {**first, **second}.items() if marker in body or b"secret-launch" in body]
    assert leaks == []
    assert all(response.status_code == 404 and response.cache_state is None for response in direct)

    with time_machine.travel(LIFT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert WSGIClient().get(report.url).status_code == 200  # the on-request lift, and its purge
        after = crawl(wsgi, "/", *MACHINE_SURFACES)

    for url in ["/", "/category/economy/", "/author/nia-evans/", "/?type=report", "/feed/", "/search/?q=launch"]:
        assert marker in after[url][1], url
