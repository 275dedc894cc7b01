"""A reader comments with the keyboard alone, through the real proof-of-work challenge; a moderator approves it."""

import secrets

import pytest

from presscentre.e2e.keyboard import tab_to
from presscentre.e2e.pages import check_page, screenshot, settle

pytestmark = pytest.mark.browser

BODY = "Typed with the keyboard alone: the regional figures in table 3 deserve a follow-up."


@pytest.fixture
def open_item_url(live_site):
    """The demo article that takes comments (the one the demo thread is on)."""
    from presscentre.comments.models import Comment

    return Comment.objects.select_related("item").first().item.url


def solve_challenge_by_keyboard(page) -> None:
    """Tab to the ALTCHA checkbox, tick it with the space bar and wait for the proof of work to be accepted."""
    tab_to(page, "altcha")
    page.keyboard.press("Space")
    wait_for_proof_of_work(page)


def wait_for_proof_of_work(page) -> None:
    """The widget puts its solution in a hidden input named altcha once the proof of work is done."""
    page.wait_for_function(
        "() => { const input = document.querySelector('form.comment-form input[name=altcha]');"
        " return Boolean(input && input.value); }",
        timeout=30_000,
    )


def test_a_keyboard_user_comments_sees_it_held_and_a_moderator_approves_it(
    live_site, reader_page, editor_page, browser, open_item_url
):
    name = f"Keyboard Reader {secrets.token_hex(3)}"
    reader_page.goto(open_item_url)
    settle(reader_page)

    # First attempt: a name of spaces only gets past the browser but not the server, so the errors show.
    tab_to(reader_page, "id", "comment-name")
    reader_page.keyboard.type("   ")
    reader_page.keyboard.press("Tab")
    reader_page.keyboard.type("keyboard.reader@example.net")
    reader_page.keyboard.press("Tab")
    reader_page.keyboard.press("Tab")
    reader_page.keyboard.type(BODY)
    solve_challenge_by_keyboard(reader_page)
    tab_to(reader_page, "button", "Post Comment")
    with reader_page.expect_navigation():
        reader_page.keyboard.press("Enter")

    assert reader_page.locator("#comment-name").input_value() == "   "
    assert reader_page.locator(".comment-form-author .errorlist").inner_text() == "This field is required."
    assert reader_page.locator("#comment-body").input_value() == BODY
    check_page(reader_page, "comment-form-errors")

    # Second attempt: the form kept what was typed; add the name, solve the challenge, send.
    tab_to(reader_page, "id", "comment-name")
    reader_page.keyboard.type(name)
    solve_challenge_by_keyboard(reader_page)
    tab_to(reader_page, "button", "Post Comment")
    with reader_page.expect_navigation():
        reader_page.keyboard.press("Enter")

    held = reader_page.locator("li.comment", has_text=name)
    assert held.locator(".comment-awaiting-moderation").inner_text() == "Your comment is awaiting moderation."
    check_page(reader_page, "comment-held")

    public = browser.new_context(base_url=live_site.url).new_page()
    public.goto(open_item_url)
    assert public.locator("li.comment", has_text=name).count() == 0

    editor_page.goto("/admin/comments/")
    row = editor_page.locator("tr", has_text=name)
    row.get_by_role("button", name="More options").click()
    row.get_by_role("link", name="Approve").click()
    editor_page.wait_for_load_state()
    screenshot(editor_page, "admin-comment-approved")

    public.reload()  # the reader's browser may keep the page it has for a minute; reloading asks again
    approved = public.locator("li.comment", has_text=name)
    assert approved.locator(".comment-content").inner_text().strip() == BODY
    assert approved.locator(".comment-awaiting-moderation").count() == 0
    check_page(public, "comment-approved")
    public.context.close()


def test_a_challenge_that_expired_while_typing_asks_again_and_keeps_the_comment(
    live_site, reader_page, open_item_url, settings
):
    from wagtail.models import Site

    from presscentre.comments.models import CommentSettings

    reader_page.goto(open_item_url)
    settle(reader_page)
    reader_page.locator("#comment-name").fill("Slow Reader")
    reader_page.locator("#comment-email").fill("slow.reader@example.net")
    reader_page.locator("#comment-body").fill("Written over a long lunch.")
    reader_page.get_by_label("I'm not a robot").click()
    wait_for_proof_of_work(reader_page)
    # The ticket in the page was issued with the usual lifetime; by the time it comes back, none is left.
    settings.PRESSCENTRE_COMMENT_CHALLENGE_MINUTES = 0
    with reader_page.expect_navigation():
        reader_page.locator("button.comment-submit").click()

    expired_message = CommentSettings.for_site(Site.objects.get(is_default_site=True)).expired_message
    assert reader_page.locator(".comment-challenge .errorlist").inner_text() == expired_message
    assert reader_page.locator("#comment-body").input_value() == "Written over a long lunch."
    check_page(reader_page, "comment-challenge-expired")
