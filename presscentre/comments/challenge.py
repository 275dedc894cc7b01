"""The comment form's challenge: self-hosted, signed, single-use and time-limited.

Each rendering of the form carries a ticket signed with the site's key: a random nonce, the item, the instant it
was issued and a keyed hash of the answer to a question in words. A reader with JavaScript solves an ALTCHA proof
of work bound to the same nonce (its widget is served from our own static files); a reader without JavaScript
answers the question instead. Either way the ticket is refused once the time limit has passed, when it comes back
faster than a person can fill in the form, or when its nonce has been used before: used nonces are kept in the
shared cache until their ticket would have expired anyway.
"""

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import altcha
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac

from presscentre.pagecache.cache_backend import CacheUnavailable, strict

TICKET_SALT = "presscentre.comments.challenge"
USED_NONCE_PREFIX = "comments:challenge-used:"
PAUSED_MESSAGE = (
    "Comments are paused for a minute while the site recovers. Your comment is kept: please send it again shortly."
)

NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
NUMBER_WORDS += ["eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen"]
NUMBER_WORDS += ["nineteen", "twenty"]


class ChallengeError(Exception):
    """The challenge was not met; `code` says why (forged, expired, too_fast, replayed, paused, missing, wrong)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Challenge:
    ticket: str
    question: str
    altcha_json: str


def lifetime() -> timedelta:
    return timedelta(minutes=settings.PRESSCENTRE_COMMENT_CHALLENGE_MINUTES)


def _answer_mac(nonce: str, answer: int) -> str:
    return salted_hmac(TICKET_SALT, f"{nonce}:{answer}", algorithm="sha256").hexdigest()


def _altcha_key() -> str:
    # Derived from SECRET_KEY, so there is no second secret for operators to manage.
    return salted_hmac("presscentre.comments.altcha", "hmac-key", algorithm="sha256").hexdigest()


def _question() -> tuple[str, int]:
    first, second = secrets.randbelow(10) + 1, secrets.randbelow(10) + 1
    if secrets.randbelow(2) and first != second:
        first, second = max(first, second), min(first, second)
        return f"What is {NUMBER_WORDS[first]} minus {NUMBER_WORDS[second]}?", first - second
    return f"What is {NUMBER_WORDS[first]} plus {NUMBER_WORDS[second]}?", first + second


def issue_challenge(item_id: int, *, at: datetime) -> Challenge:
    """A fresh challenge for one rendering of the comment form on item `item_id`."""
    nonce = secrets.token_urlsafe(16)
    question, answer = _question()
    ticket = signing.dumps(
        {"n": nonce, "i": item_id, "t": int(at.timestamp()), "h": _answer_mac(nonce, answer)}, salt=TICKET_SALT
    )
    proof_of_work = altcha.create_challenge(
        altcha.ChallengeOptions(
            hmac_key=_altcha_key(),
            max_number=settings.PRESSCENTRE_COMMENT_ALTCHA_MAX_NUMBER,
            expires=at + lifetime(),
            params={"nonce": nonce},
        )
    )
    return Challenge(ticket=ticket, question=question, altcha_json=json.dumps(proof_of_work.to_dict()))


def parse_answer(text: str) -> int | None:
    """The number a reader typed, in digits or in words ("7", " Seven "); None when it is neither."""
    text = text.strip().lower()
    if text.isascii() and text.isdigit() and len(text) < 4:  # int() refuses digits such as "²"
        return int(text)
    if text in NUMBER_WORDS:
        return NUMBER_WORDS.index(text)
    return None


def check_challenge(
    *, ticket: str, answer: str, altcha_payload: str, item_id: int, at: datetime, expired_message: str
) -> None:
    """Raise ChallengeError unless the ticket is genuine, in time, unused, and solved or answered.

    A ticket that passes the signature, time and fill-time checks is used up by this call whether or not the
    answer is right, so an answer cannot be guessed by replaying one ticket.
    """
    try:
        claims = signing.loads(ticket, salt=TICKET_SALT)
        nonce, issued = str(claims["n"]), int(claims["t"])
        if claims["i"] != item_id:
            raise ValueError("ticket for another item")
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ChallengeError("forged", "The security check could not be read. Please answer the new one.") from None
    age = at.timestamp() - issued
    if age > lifetime().total_seconds():
        raise ChallengeError("expired", expired_message)
    if age < settings.PRESSCENTRE_COMMENT_MIN_FILL_SECONDS:
        raise ChallengeError("too_fast", "That was very quick. Please check your comment and send it again.")
    remaining = int(lifetime().total_seconds() - age) + 60
    try:
        with strict():
            first_use = cache.add(f"{USED_NONCE_PREFIX}{nonce}", True, timeout=remaining)
    except CacheUnavailable:
        # A ticket whose use cannot be recorded could be replayed for ever: comments wait until the cache is back.
        raise ChallengeError("paused", PAUSED_MESSAGE) from None
    if not first_use:
        raise ChallengeError("replayed", "This form has already been sent once. Please answer the new question.")
    if altcha_payload and _proof_of_work_solved(altcha_payload, nonce=nonce, at=at):
        return
    if not answer.strip():
        if altcha_payload:
            raise ChallengeError("forged", "The security check failed. Please answer the new question.")
        raise ChallengeError("missing", "Please answer the question.")
    number = parse_answer(answer)
    if number is None or not constant_time_compare(_answer_mac(nonce, number), claims.get("h", "")):
        raise ChallengeError("wrong", "That answer is not right. Please answer the new question.")


def _proof_of_work_solved(payload: str, *, nonce: str, at: datetime) -> bool:
    # The expiry is checked against `at` (the ticket's own check), not the library's reading of the clock.
    try:
        solved, _error = altcha.verify_solution(payload, _altcha_key(), check_expires=False)
        params = altcha.extract_params(json.loads(base64.b64decode(payload).decode()))
    except (ValueError, TypeError, KeyError, AttributeError):
        return False
    if not solved or params.get("nonce") != [nonce]:
        return False
    expires = params.get("expires", ["0"])[0]
    return expires.isdigit() and at.timestamp() <= int(expires)
