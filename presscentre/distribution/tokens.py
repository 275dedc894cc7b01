"""Signed unsubscribe tokens: they name a contact without any login, and cannot be forged or guessed."""

from django.core import signing
from django.urls import reverse

SALT = "presscentre.distribution.unsubscribe"


def unsubscribe_token(contact_id: int) -> str:
    return signing.Signer(salt=SALT).sign(str(contact_id))


def contact_id_from_token(token: str) -> int | None:
    """The contact a token was made for, or None if it was tampered with or is not a token at all."""
    try:
        return int(signing.Signer(salt=SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def unsubscribe_url(contact_id: int, *, base_url: str) -> str:
    return f"{base_url.rstrip('/')}{reverse('distribution:unsubscribe', args=[unsubscribe_token(contact_id)])}"
