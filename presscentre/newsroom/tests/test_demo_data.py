import fnmatch
import re
import tomllib
from collections import Counter
from datetime import time
from pathlib import Path

import pytest

from presscentre.newsroom import demo
from presscentre.newsroom.models import ArticlePage, MediaAppearancePage, PressReleasePage, ReportPage

REPOSITORY = Path(__file__).resolve().parents[3]


def test_every_item_names_a_known_topic_and_known_people_and_a_slug_of_its_own():
    topics = {category.slug for category in demo.CATEGORIES}
    people = {person.slug for person in demo.PEOPLE}

    assert set(demo.TOPICS) == topics
    assert all(item.topic in topics for item in demo.DEMO_ITEMS)
    assert all(item.people and set(item.people) <= people for item in demo.DEMO_ITEMS)
    assert all(set(person.topics) <= topics for person in demo.PEOPLE)
    assert {contact.topic for contact in demo.PRESS_CONTACTS} <= topics | {""}
    assert [slug for slug, count in Counter(item.slug for item in demo.DEMO_ITEMS).items() if count > 1] == []


def test_items_are_read_in_file_order_with_their_types_times_and_defaults():
    kinds = [item.kind for item in demo.DEMO_ITEMS]
    assert list(dict.fromkeys(kinds)) == [PressReleasePage, ArticlePage, ReportPage, MediaAppearancePage]
    assert Counter(kinds) == {PressReleasePage: 17, ArticlePage: 12, ReportPage: 8, MediaAppearancePage: 8}
    first_article = next(item for item in demo.DEMO_ITEMS if item.kind is ArticlePage)
    assert first_article.slug == "fiscal-rules-need-a-rethink"
    assert first_article.time_of_day == time(12, 30)
    assert all(item.details["pdf"] in (True, False) for item in demo.DEMO_ITEMS if item.kind is ReportPage)
    assert all(isinstance(item.details["findings"], tuple) for item in demo.DEMO_ITEMS if item.kind is ReportPage)


def test_the_upcoming_release_is_embargoed_and_lifts_after_loading():
    release = demo.UPCOMING_EMBARGOED_RELEASE

    assert release.kind is PressReleasePage
    assert release.details["embargoed"] is True
    assert release.days_ago < 0


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"title": "T", "days_ago": 1, "topic": "economy", "people": ["owen-maddox"], "opening": "O"}, "lacks"),
        (
            {
                "slug": "s",
                "title": "T",
                "days_ago": 1,
                "topic": "economy",
                "people": ["owen-maddox"],
                "opening": "O",
                "report_title": "R",
                "summary": "S",
                "findings": ["F"],
                "pfd": True,
            },
            "unknown fields ['pfd']",
        ),
    ],
)
def test_a_data_file_with_a_missing_or_misspelt_field_is_refused(row, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        demo.read_demo_items("reports.toml", {"published_time": time(0, 1), "item": [row]})


def test_the_data_files_travel_with_the_package():
    pyproject = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["presscentre.newsroom"]
    newsroom = Path(demo.__file__).parent
    files = [path.relative_to(newsroom).as_posix() for path in demo.DATA_DIR.iterdir()]

    assert files
    assert [name for name in files if not any(fnmatch.fnmatch(name, pattern) for pattern in patterns)] == []
