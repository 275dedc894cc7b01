"""Comments show the markup WordPress allows in comments, sanitised; nothing else (issue 15, defect 10)."""

import pytest
from bs4 import BeautifulSoup

from presscentre.comments.services import COMMENT_ALLOWED_TAGS, comment_body_html


def parsed(body: str) -> BeautifulSoup:
    return BeautifulSoup(str(comment_body_html(body)), "html.parser")


def test_the_tags_wordpress_allows_in_comments_are_kept():
    html = parsed(
        '<strong>bold</strong> <em>it</em> <b>b</b> <i>i</i> <a href="https://example.org/" title="T">a</a> '
        "<blockquote>quoted</blockquote> <code>x = 1</code> <del>gone</del> <q>said</q> <cite>Book</cite> "
        '<abbr title="HyperText">HTML</abbr> <strike>old</strike> <ul><li>one</li></ul> <ol><li>two</li></ol> '
        "<p>para</p>line<br>break"
    )

    for tag in ("strong", "em", "b", "i", "a", "blockquote", "code", "del", "q", "cite", "abbr", "strike"):
        assert html.find(tag) is not None, tag
    assert [li.get_text() for li in html.find_all("li")] == ["one", "two"]
    assert html.find("abbr")["title"] == "HyperText"
    link = html.find("a")
    assert (link["href"], link["title"], link["rel"]) == ("https://example.org/", "T", ["nofollow", "ugc", "noopener"])
    assert "<strong>" not in html.get_text(), "tags are markup, not text"
    assert set(COMMENT_ALLOWED_TAGS) >= {"strong", "em", "a", "blockquote", "code", "ul", "ol", "li", "p", "br"}


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>text",
        '<a href="javascript:alert(1)">click</a>',
        '<a href=" JaVaScRiPt:alert(1)">click</a>',
        '<img src=x onerror="alert(1)">',
        '<strong onmouseover="alert(1)">hover</strong>',
        '<a href="data:text/html,<script>alert(1)</script>">d</a>',
        "<svg onload=alert(1)>",
        '<iframe src="https://evil.example/"></iframe>',
        '<blockquote style="background:url(javascript:alert(1))">q</blockquote>',
        "<scr<script>ipt>alert(1)</script>",
    ],
)
def test_hostile_markup_comes_out_harmless(hostile):
    html = parsed(hostile)

    assert not html.find_all(["script", "img", "svg", "iframe", "style"])
    for tag in html.find_all(True):
        assert tag.name in COMMENT_ALLOWED_TAGS
        assert not any(name.startswith("on") or name == "style" for name in tag.attrs)
        assert not tag.get("href", "https:").strip().lower().startswith(("javascript:", "data:"))


def test_mailto_links_are_allowed_and_other_schemes_dropped():
    html = parsed('<a href="mailto:ada@example.net">mail</a> <a href="ftp://example.org/">ftp</a>')

    hrefs = [link.get("href") for link in html.find_all("a")]
    assert hrefs == ["mailto:ada@example.net", None]


def test_plain_text_keeps_its_paragraphs_line_breaks_and_linked_addresses():
    html = str(comment_body_html("First para\nsame para.\n\nSecond https://example.org/x para."))

    assert html.count("<p>") == 2 and "<br>" in html
    assert '<a href="https://example.org/x" rel="nofollow ugc noopener">https://example.org/x</a>' in html


def test_markup_with_newlines_keeps_its_paragraphs_too():
    html = parsed("I <em>agree</em>.\n\nBut <strong>not</strong> here.")

    assert [p.get_text() for p in html.find_all("p")] == ["I agree.", "But not here."]


def test_angle_brackets_typed_as_text_stay_text():
    html = str(comment_body_html("if a < b and c > d then <3"))

    assert "a &lt; b and c &gt; d then &lt;3" in html


def test_the_moderation_reply_screen_shows_the_comment_sanitised(admin_client, newsroom):
    from presscentre.comments.tests.factories import CommentFactory
    from presscentre.newsroom.tests.factories import ArticleFactory

    comment = CommentFactory(
        item=ArticleFactory(parent=newsroom), body='<em>Nice</em> <img src=x onerror="alert(1)"><script>x()</script>'
    )

    response = admin_client.get(f"/admin/comments/reply/{comment.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<em>Nice</em>" in html
    assert "onerror" not in html and "<script>x()" not in html
