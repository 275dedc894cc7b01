"""The accessibility check itself: it must find a violation when there is one, and say where."""

import pytest

from presscentre.e2e.pages import axe_violations, describe_violations

pytestmark = pytest.mark.browser


def test_axe_reports_an_image_without_alternative_text_and_where_it_is(live_site, reader_page):
    reader_page.goto("/")
    reader_page.evaluate(
        "() => { const img = document.createElement('img'); img.id = 'no-alt'; img.src = '/static/none.png';"
        " document.querySelector('main').append(img); }"
    )

    violations = axe_violations(reader_page)
    reader_page.reload()

    assert [violation["id"] for violation in violations] == ["image-alt"]
    report = describe_violations(violations)
    assert "image-alt (critical)" in report
    assert "at #no-alt" in report
