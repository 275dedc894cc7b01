"""Long unbroken words and addresses stay inside the column, and tag lists stay one line of text (issue 15, 18).

A word longer than the column (a chemical name, a hashtag, a pasted address) used to run past the column's edge
on the desktop (where the page itself does not scroll, so only the column shows it) and on a phone; the tags
under an item stood one per line on a phone, their commas on lines of their own.
"""

import secrets

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from presscentre.e2e.conftest import DESKTOP, PHONE
from presscentre.e2e.pages import settle

pytestmark = pytest.mark.browser

WORD = "Hexakosioihexekontahexaphobia" * 6  # 174 characters with no break anywhere
ADDRESS = "https://example.org/" + "a-very-long-path-segment/" * 8 + "?query=" + "x" * 60

# Every element of the page whose right edge passes the column's (or the window's) by more than a pixel, or
# whose content runs out of it, as "tag.class: overflow px". Scroll containers (a wide table the reader scrolls
# sideways) may hold wide content, so their descendants are measured against the container instead.
OVERFLOWING = """
() => {
  const main = document.querySelector("main");
  const limit = Math.min(main.getBoundingClientRect().right, document.documentElement.clientWidth);
  const scrolls = (element) => ["auto", "scroll"].includes(getComputedStyle(element).overflowX);
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    if (!element.getClientRects().length || element.closest("[hidden], .visually-hidden, .skip-link")) continue;
    let edge = main.contains(element) ? limit : document.documentElement.clientWidth;
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (scrolls(up)) { edge = up.getBoundingClientRect().right; break; }
    }
    // The box itself past the edge, or text running out of a box that does not scroll (a text node has no box).
    const over = Math.max(
      element.getBoundingClientRect().right - edge,
      scrolls(element) || element.clientWidth === 0 ? 0 : element.scrollWidth - element.clientWidth,
    );
    if (over > 1) found.push(`${element.tagName.toLowerCase()}.${element.className}: ${Math.round(over)}px`);
  }
  return found;
}
"""


@pytest.fixture
def long_item(live_site):
    from presscentre.comments.models import Comment
    from presscentre.newsroom.models import PressCentrePage
    from presscentre.newsroom.tests.factories import CategoryFactory, PersonFactory, PressReleaseFactory

    suffix = secrets.token_hex(3)
    category = CategoryFactory(name=f"Category{WORD[:60]}{suffix}", description=f"About {WORD}.")
    person = PersonFactory(name=f"Person{WORD[:50]}{suffix}", role=f"Fellow in {WORD}")
    body = [
        {"type": "heading", "value": {"text": WORD[:190], "level": "h2"}},
        {"type": "paragraph", "value": f'<p>{WORD} and <a href="{ADDRESS}">{ADDRESS}</a> in the body.</p>'},
        {"type": "quote", "value": {"quote": WORD, "speaker": WORD[:150], "speaker_role": ""}},
        {"type": "preformatted", "value": f"{ADDRESS}\n    {WORD}"},
        # Imported content keeps tables and code inside its rich text.
        {
            "type": "paragraph",
            "value": f"<table><tr><th>Region</th><td>{WORD}</td><td>{ADDRESS}</td></tr></table>"
            f"<pre><code>curl {ADDRESS}  # {WORD}</code></pre>",
        },
    ]
    release = PressReleaseFactory(
        parent=PressCentrePage.objects.get(),
        title=f"Wrapping {WORD}",
        slug=f"wrapping-{suffix}",
        subheadline=WORD,
        lead=f"A lead with {WORD} in it and {ADDRESS}.",
        body=body,
        categories=[category],
        people=[person],
    )
    release.tags.add("energy", "household budgets", "rent", "regional pay", WORD[:90])
    release.save()
    Comment.objects.create(
        item=release,
        author_name=f"Reader{WORD[:80]}",
        author_email="reader@example.org",
        body=f"See {ADDRESS} and {WORD}.",
        status=Comment.Status.APPROVED,
        created_at=timezone.now(),
    )
    return release, category, person


def pages_of(release, category, person) -> list[str]:
    index = release.get_parent().specific
    return [
        release.url,
        index.url,
        f"{index.url}category/{category.slug}/",
        f"{index.url}author/{person.slug}/",
        f"{index.url}category/",
        f"{index.url}author/",
        f"/search/?q={WORD[:40]}",
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_long_words_and_addresses_stay_inside_the_column(long_item, reader_page: Page, viewport):
    reader_page.set_viewport_size(viewport)
    try:
        for path in pages_of(*long_item):
            response = reader_page.goto(path)
            assert response.status == 200, path
            settle(reader_page)
            assert reader_page.evaluate(OVERFLOWING) == [], f"{path} at {viewport['width']} px"
    finally:
        reader_page.set_viewport_size(DESKTOP)


def test_an_item_s_tags_run_on_as_a_line_of_text_on_a_phone(long_item, reader_page: Page):
    release, _, _ = long_item
    reader_page.set_viewport_size(PHONE)
    try:
        reader_page.goto(release.url)
        settle(reader_page)
        tags = reader_page.locator(".item-tags .tag")
        tops = [round(box["y"]) for box in (tags.nth(n).bounding_box() for n in range(2))]
        assert tops[0] == tops[1], "the first two tags share a line"
        text = reader_page.locator(".item-tags").inner_text()
        assert "energy, household budgets" in text.replace("\n", " ")
        assert not any(line.strip() == "," for line in text.splitlines()), "no comma stands on a line of its own"
    finally:
        reader_page.set_viewport_size(DESKTOP)
