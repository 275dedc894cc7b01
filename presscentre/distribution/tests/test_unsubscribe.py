"""The one-click unsubscribe page: signed token, no login, GET confirms, POST (or RFC 8058 one-click) acts."""

from presscentre.distribution.tests.factories import MediaContactFactory
from presscentre.distribution.tokens import unsubscribe_token


def test_get_asks_for_confirmation_and_changes_nothing(newsroom, reader):
    contact = MediaContactFactory()

    response = reader.get(f"/distribution/unsubscribe/{unsubscribe_token(contact.pk)}/")

    assert response.status_code == 200
    assert b'<form method="post"' in response.content
    assert "no-store" in response["Cache-Control"]
    assert contact.email.encode() not in response.content
    contact.refresh_from_db()
    assert not contact.opted_out


def test_posting_the_form_unsubscribes_once_and_again_is_harmless(newsroom, reader):
    contact = MediaContactFactory()
    url = f"/distribution/unsubscribe/{unsubscribe_token(contact.pk)}/"

    first = reader.post(url)
    contact.refresh_from_db()
    opted_out_at = contact.opted_out_at
    second = reader.post(url)

    assert first.status_code == second.status_code == 200
    assert b"You are unsubscribed" in second.content
    contact.refresh_from_db()
    assert contact.opted_out and contact.opted_out_at == opted_out_at
    assert b"already unsubscribed" in reader.get(url).content


def test_a_mail_clients_one_click_post_works_without_a_csrf_token(newsroom, client):
    from django.test import Client

    contact = MediaContactFactory()
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(
        f"/distribution/unsubscribe/{unsubscribe_token(contact.pk)}/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.opted_out


def test_a_forged_token_is_a_404(newsroom, reader):
    contact = MediaContactFactory()
    forged = f"{contact.pk}:not-the-signature"

    assert reader.get(f"/distribution/unsubscribe/{forged}/").status_code == 404
    assert reader.post(f"/distribution/unsubscribe/{forged}/").status_code == 404
    contact.refresh_from_db()
    assert not contact.opted_out
