from io import StringIO

from django.core.management import call_command

from presscentre.comments.models import Comment
from presscentre.newsroom.tests.factories import ArticleFactory, PressReleaseFactory


def run() -> str:
    out = StringIO()
    call_command("load_demo_comments", stdout=out)
    return out.getvalue()


def test_demo_comments_go_on_the_newest_open_article_once(newsroom, reader):
    ArticleFactory(parent=newsroom, title="Older")
    newest = ArticleFactory(parent=newsroom, title="Newest")
    PressReleaseFactory(parent=newsroom, comments_open=False)

    assert run() == "Demo comments: 5 created\n"
    assert "none created" in run()

    comments = Comment.objects.filter(item=newest)
    assert comments.count() == Comment.objects.count() == 5
    assert comments.filter(status=Comment.Status.PENDING).count() == 1
    assert max(comment.depth for comment in comments) == 3
    page = reader.get(newest.url).content.decode()
    assert "4 Comments" in page
    assert "waits for a moderator" not in page


def test_demo_comments_need_an_open_article(newsroom):
    PressReleaseFactory(parent=newsroom, comments_open=False)

    assert "none created" in run()
    assert not Comment.objects.exists()
