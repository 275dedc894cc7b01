"""Nothing personal and nothing executable reaches a public page or feed through a comment."""

import json
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.utils import timezone

from presscentre.comments.models import Comment
from presscentre.comments.tests.factories import CommentFactory, comment_settings, filled_form
from presscentre.comments.views import PENDING_COOKIE, PENDING_COOKIE_SALT
from presscentre.newsroom.tests.factories import ArticleFactory, CategoryFactory

EMAILS = ["approved.zq7@example.net", "pending.zq7@example.net", "spam.zq7@example.net", "Mixed.Case.ZQ7@Example.NET"]
IPS = ["203.0.113.217", "198.51.100.219", "2001:db8::7a7a", "192.0.2.233"]

# Collected from the OWASP XSS filter evasion cheat sheet and PortSwigger's XSS cheat sheet.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//xss.example/xss.js></SCRIPT>",
    '"><script>alert(document.cookie)</script>',
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A"
    "&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<img src=x onerror=alert(1)//",
    "<div style=\"background:url('javascript:alert(1)')\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<details open ontoggle=alert(1)>",
    'https://ok.example/"onmouseover="alert(1)',
    "https://ok.example/<script>alert(1)</script>",
    "<!--<img src=--><img src=x onerror=alert(1)//-->",
    "<input autofocus onfocus=alert(1)>",
]
WEBSITE_PAYLOADS = [
    "javascript:alert(1)",
    " javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    'https://ok.example/" onmouseover="alert(1)',
    "https://ok.example/'><script>alert(1)</script>",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def article(newsroom):
    topic = CategoryFactory(name="Topic")
    return ArticleFactory(parent=newsroom, title="Privacy matters", categories=[topic])


def public_responses(reader, article) -> dict[str, bytes]:
    urls = [
        "/",
        "/category/topic/",
        article.url,
        f"{article.url}?replytocom={Comment.objects.approved().first().pk}",
        "/comments/feed/",
        f"/comments/feed/{article.pk}/",
    ]
    responses = {}
    for url in urls:
        response = reader.get(url)
        assert response.status_code == 200, url
        responses[url] = response.content
    return responses


def test_no_email_address_or_ip_address_appears_on_any_public_surface(article, reader):
    parent = CommentFactory(item=article, status=Comment.Status.APPROVED, author_email=EMAILS[0], ip_address=IPS[0])
    CommentFactory(item=article, status=Comment.Status.PENDING, author_email=EMAILS[1], ip_address=IPS[1])
    CommentFactory(item=article, status=Comment.Status.SPAM, author_email=EMAILS[2], ip_address=IPS[2])
    CommentFactory(
        item=article, parent=parent, status=Comment.Status.APPROVED, author_email=EMAILS[3], ip_address=IPS[3]
    )

    for url, content in public_responses(reader, article).items():
        text = content.decode().lower()
        for secret in [*EMAILS, *IPS]:
            assert secret.lower() not in text, (url, secret)
        assert "zq7" not in text, url


def test_the_author_viewing_their_held_comment_sees_no_email_or_ip_either(article, reader):
    held = CommentFactory(item=article, status=Comment.Status.PENDING, author_email=EMAILS[1], ip_address=IPS[1])
    reader.cookies[PENDING_COOKIE] = _signed_cookie(str(held.pk))

    response = reader.get(article.url)

    assert held.body in response.content.decode()
    assert EMAILS[1].encode() not in response.content
    assert IPS[1].encode() not in response.content


def test_a_posted_comment_puts_no_email_on_the_page_afterwards(article, reader):
    comment_settings(hold_first_time_authors=False)
    data = filled_form(article, at=timezone.now() - timedelta(seconds=30), email="posted.zq7@example.net")

    response = reader.post(f"/comments/post/{article.pk}/", data, follow=True)

    assert response.status_code == 200
    assert Comment.objects.get().author_email == "posted.zq7@example.net"
    assert b"zq7" not in response.content


def _signed_cookie(value: str) -> str:
    from django.core import signing

    return signing.get_cookie_signer(salt=PENDING_COOKIE + PENDING_COOKIE_SALT).sign(value)


def assert_inert(html: str, where: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for script in soup.find_all("script"):
        if script.get("type") == "application/ld+json":
            # Structured data, which browsers never run: it must be JSON and nothing else.
            json.loads(script.get_text())
            continue
        assert script.get("src", "").startswith("/static/"), (where, str(script))
        assert not script.get_text().strip(), (where, str(script))
    for element in soup.find_all(True):
        for attribute, value in element.attrs.items():
            assert not attribute.lower().startswith("on"), (where, str(element))
            values = value if isinstance(value, list) else [value]
            if attribute.lower() in {"href", "src", "action", "formaction", "xlink:href", "style"}:
                for one in values:
                    squashed = "".join(one.split()).lower()
                    assert "javascript:" not in squashed, (where, str(element))
                    assert "vbscript:" not in squashed, (where, str(element))
                    assert not squashed.startswith("data:"), (where, str(element))
    for tag in ("iframe", "img", "svg", "math", "details", "input", "body", "div"):
        for element in soup.find_all(tag):
            # The page's own elements are allowed, but none may come out of a comment.
            assert not element.find_parent(class_="comment-content"), (where, str(element))
            assert not element.find_parent(class_="comment-author"), (where, str(element))


@pytest.mark.parametrize(
    "live",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href=" JavaScript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
    ],
)
def test_the_inertness_check_catches_live_markup(live):
    with pytest.raises(AssertionError):
        assert_inert(f"<p>{live}</p>", "sample")


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_in_name_and_body_is_rendered_inert(article, reader, payload):
    CommentFactory(item=article, status=Comment.Status.APPROVED, author_name=payload[:100], body=payload)

    for url, content in public_responses(reader, article).items():
        if "/feed/" in url:
            for description in ElementTree.fromstring(content).iter("description"):  # noqa: S314 - our own feed
                assert_inert(description.text or "", url)
        else:
            assert_inert(content.decode(), url)


@pytest.mark.parametrize("website", WEBSITE_PAYLOADS)
def test_dangerous_websites_are_not_linked(article, reader, website):
    # The form accepts only http(s) addresses; imported comments may hold anything.
    CommentFactory(item=article, status=Comment.Status.APPROVED, author_name="Linked", author_url=website)

    soup = BeautifulSoup(reader.get(article.url).content, "html.parser")

    assert_inert(str(soup), article.url)
    author = soup.select_one(".comment-author")
    link = author.a
    if link is not None:
        assert link["href"].startswith("https://ok.example/")
        assert set(link.attrs) == {"href", "rel"}


@pytest.mark.parametrize("payload", XSS_PAYLOADS[:8])
def test_xss_typed_into_the_form_comes_back_inert(article, reader, payload):
    data = filled_form(article, at=timezone.now(), name=payload, url=payload, body=payload, email="x")

    response = reader.post(f"/comments/post/{article.pk}/", data)

    assert response.status_code == 400
    assert_inert(response.content.decode(), "form")
    assert not Comment.objects.exists()
