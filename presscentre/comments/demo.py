"""Readers' comments for the demo press centre: an approved thread with replies, and one held comment."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from presscentre.comments.models import Comment
from presscentre.embargo.services import public_items
from presscentre.newsroom.models import ArticlePage

# Every demo commenter writes from this domain, so a second run can tell its comments from real ones.
DEMO_DOMAIN = "readers.example"


@dataclass(frozen=True)
class DemoComment:
    key: str
    name: str
    body: str
    hours_after: int
    parent: str = ""
    website: str = ""
    status: str = Comment.Status.APPROVED


DEMO_THREAD = [
    DemoComment(
        "marta",
        "Marta Okafor",
        "A clear piece. The regional breakdown is what most coverage missed.\n\n"
        "Is the underlying survey data going to be published?",
        3,
        website="https://marta.readers.example/",
    ),
    DemoComment(
        "institute",
        "Press Office",
        "Thank you. Yes: the tables go up with the full report next month, see https://example.org/data",
        5,
        parent="marta",
    ),
    DemoComment("marta-again", "Marta Okafor", "Great, I will look out for it.", 6, parent="institute"),
    DemoComment(
        "dev",
        "Dev Patel",
        "I am less convinced the costings hold if energy prices fall back next winter.",
        26,
    ),
    DemoComment(
        "held",
        "First Time Reader",
        "This one waits for a moderator: its author has never commented before.",
        30,
        status=Comment.Status.PENDING,
    ),
]


@transaction.atomic
def load_demo_comments(*, at: datetime) -> int:
    """Add the demo thread to the newest public article that takes comments; returns how many were created.

    Safe to run repeatedly: once any demo comment exists a run creates nothing. Creates nothing (and returns 0)
    when no public article is open for comments.
    """
    articles = public_items(at).of_type(ArticlePage).filter(comments_open=True).newest_first()
    article = articles.first()
    if article is None or Comment.objects.filter(author_email__endswith=f"@{DEMO_DOMAIN}").exists():
        return 0
    created: dict[str, Comment] = {}
    for demo in DEMO_THREAD:
        written = min(article.published_at + timedelta(hours=demo.hours_after), at)
        created[demo.key] = Comment.objects.create(
            item_id=article.pk,
            parent=created.get(demo.parent),
            author_name=demo.name,
            author_email=f"{demo.key}@{DEMO_DOMAIN}",
            author_url=demo.website,
            body=demo.body,
            status=demo.status,
            created_at=written,
            approved_at=written if demo.status == Comment.Status.APPROVED else None,
        )
    return len(created)
