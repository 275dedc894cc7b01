"""Factories for comments: a valid comment on a published article, pending unless a test says otherwise."""

from datetime import UTC, datetime, timedelta

import factory

from presscentre.comments.models import Comment

_created_at = factory.Sequence(lambda n: datetime(2024, 6, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=n))


class CommentFactory(factory.django.DjangoModelFactory):
    """Pass `item`: the factory does not build a page of its own, since pages need a parent in the tree."""

    class Meta:
        model = Comment

    kind = Comment.Kind.COMMENT
    status = Comment.Status.PENDING
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    author_email = factory.Sequence(lambda n: f"reader{n}@example.com")
    author_url = ""
    body = factory.Sequence(lambda n: f"A thoughtful comment, number {n}.")
    created_at = _created_at
    approved_at = factory.LazyAttribute(lambda o: o.created_at if o.status == Comment.Status.APPROVED else None)
    ip_address = "192.0.2.10"
    user_agent = "Mozilla/5.0 (test)"


# The public form: a filled-in, correctly answered post, as a reader's browser would send it.


def comment_settings(**changes):
    """The default site's comment settings, changed and saved as a test needs."""
    from wagtail.models import Site

    from presscentre.comments.models import CommentSettings

    settings = CommentSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def answer_to(question: str) -> str:
    """The answer to a question such as 'What is seven plus three?', in digits."""
    from presscentre.comments.challenge import NUMBER_WORDS

    first, operator, second = question.removeprefix("What is ").rstrip("?").split()
    first, second = NUMBER_WORDS.index(first), NUMBER_WORDS.index(second)
    return str(first + second if operator == "plus" else first - second)


def solve_proof_of_work(altcha_json: str) -> str:
    """What the ALTCHA widget sends once it has solved the challenge: a base64 payload."""
    import json

    import altcha

    challenge = json.loads(altcha_json)
    solution = altcha.solve_challenge(
        challenge["challenge"], challenge["salt"], challenge["algorithm"], challenge["maxNumber"]
    )
    assert solution is not None
    return altcha.Payload(
        challenge["algorithm"], challenge["challenge"], solution.number, challenge["salt"], challenge["signature"]
    ).to_base64()


def filled_form(item, *, at, **fields) -> dict:
    """A post to `item` whose challenge was issued at `at` and answered with the question."""
    from presscentre.comments.challenge import issue_challenge

    challenge = issue_challenge(item.pk, at=at)
    data = {
        "name": "Ada Reader",
        "email": "ada@example.net",
        "url": "",
        "body": "A fair point, well made.",
        "parent": "",
        "contact_reference": "",
        "ticket": challenge.ticket,
        "answer": answer_to(challenge.question),
    }
    data.update(fields)
    return data
