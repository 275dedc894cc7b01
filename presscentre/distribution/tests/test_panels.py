"""The dashboard panel of distributions sending or scheduled."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group

from presscentre.distribution.models import Delivery, Distribution
from presscentre.distribution.panels import ActiveDistributionsPanel
from presscentre.distribution.sending import create_deliveries
from presscentre.distribution.tests.helpers import SEND_AT, embargoed_release, journalists, scheduled_distribution
from presscentre.newsroom.tests.factories import CategoryFactory

AT = SEND_AT - timedelta(hours=2, minutes=30)


def member(django_user_model, group: str, username: str):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "password")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def press_officer(db, django_user_model):
    return member(django_user_model, "Press officers", "press-officer")


def rows(html: str) -> list[list[str]]:
    soup = BeautifulSoup(html, "html.parser")
    return [
        [" ".join(cell.get_text(" ", strip=True).split()) for cell in row.select("td")]
        for row in soup.select("tbody tr")
    ]


def test_panel_shows_sending_progress_first_then_the_next_scheduled(newsroom, press_officer):
    release = embargoed_release(newsroom)
    contacts, economics = journalists(3)
    sending = scheduled_distribution(release, economics, at=AT - timedelta(minutes=10))
    create_deliveries(sending, at=AT - timedelta(minutes=10))
    Distribution.objects.filter(pk=sending.pk).update(
        status=Distribution.Status.SENDING, started_at=AT - timedelta(minutes=10)
    )
    sending.deliveries.filter(email=contacts[0].email).update(status=Delivery.Status.SENT)
    scheduled = scheduled_distribution(release, economics, at=SEND_AT)
    scheduled.topics.add(CategoryFactory(name="Housing"))
    Distribution.objects.create(release=release, status=Distribution.Status.SENT, send_at=AT - timedelta(days=1))
    Distribution.objects.create(release=release)  # a draft

    html = ActiveDistributionsPanel(press_officer, at=AT).render_html()

    assert rows(html) == [
        [release.title, "Economics correspondents", "Sending since 04:21 EDT, Saturday 24 May 2031", "1 of 3 sent"],
        [
            release.title,
            "Economics correspondents, topic: Housing",
            "Scheduled for 07:01 EDT, Saturday 24 May 2031 (in 2 hours 30 minutes)",
            "Recipients counted when sending starts",
        ],
    ]
    links = [a["href"] for a in BeautifulSoup(html, "html.parser").select(".title-wrapper a")]
    assert links == [f"/admin/distribution/sends/{sending.pk}/", f"/admin/distribution/sends/{scheduled.pk}/"]


def test_a_scheduled_send_whose_time_has_come_reads_due_now(newsroom, press_officer):
    _, economics = journalists(1)
    scheduled_distribution(embargoed_release(newsroom), economics, at=AT)

    assert "(due now)" in rows(ActiveDistributionsPanel(press_officer, at=AT).render_html())[0][2]


def test_panel_says_so_when_nothing_is_going_out(newsroom, press_officer):
    Distribution.objects.create(release=embargoed_release(newsroom), status=Distribution.Status.CANCELLED)

    html = ActiveDistributionsPanel(press_officer, at=AT).render_html()

    assert "No distributions are sending or scheduled." in html
    assert "<table" not in html


def test_panel_runs_the_same_few_queries_for_many_distributions(newsroom, press_officer, django_assert_max_num_queries):
    release = embargoed_release(newsroom)
    _, economics = journalists(2)
    for n in range(12):
        distribution = scheduled_distribution(release, economics, at=SEND_AT + timedelta(hours=n))
        create_deliveries(distribution, at=AT)

    with django_assert_max_num_queries(3):
        html = ActiveDistributionsPanel(press_officer, at=AT).render_html()

    assert len(rows(html)) == ActiveDistributionsPanel.limit
    assert "Only the next 10 are shown." in html


def test_only_those_who_may_view_distributions_see_the_panel(client, newsroom, press_officer, django_user_model):
    _, economics = journalists(1)
    scheduled_distribution(embargoed_release(newsroom), economics)
    author = member(django_user_model, "Authors", "fellow")

    client.force_login(author)
    assert "Distributions sending or scheduled" not in client.get("/admin/").content.decode()
    client.force_login(press_officer)
    assert "Distributions sending or scheduled" in client.get("/admin/").content.decode()
