from presscentre.newsroom import excerpts
from presscentre.newsroom.excerpts import cut_on_word_boundary, text_of_body
from presscentre.newsroom.models import ArticlePage, PressReleasePage


def words(n: int) -> str:
    return " ".join(f"word{i}" for i in range(1, n + 1))


def test_long_text_is_cut_at_55_words_and_ends_in_an_ellipsis():
    excerpt = cut_on_word_boundary(words(80))

    assert excerpt == words(55) + "..."


def test_text_of_55_words_or_fewer_is_kept_whole():
    assert cut_on_word_boundary(words(55)) == words(55)
    assert cut_on_word_boundary("Just a few words.") == "Just a few words."


def test_trailing_punctuation_is_dropped_before_the_ellipsis():
    text = words(54) + " end, " + words(10)

    assert cut_on_word_boundary(text).endswith("end...")


def test_body_text_skips_images_and_embeds_and_unescapes_html():
    raw = [
        {"type": "heading", "value": {"text": "Findings", "level": "h2"}},
        {"type": "image", "value": {"image": 1, "alt_text": "chart", "caption": "Not prose"}},
        {"type": "paragraph", "value": "<p>Fish &amp; chips <b>cost</b> more.</p>"},
        {"type": "embed", "value": "https://video.example.com/1"},
        {"type": "quote", "value": {"quote": "Too much.", "speaker": "A. Reader"}},
    ]

    assert text_of_body(raw) == "Findings Fish & chips cost more. Too much."


def test_editor_summary_wins_over_the_derived_excerpt(db):
    article = ArticlePage(
        summary="  Written by the editor.  ", body=[{"type": "paragraph", "value": f"<p>{words(90)}</p>"}]
    )

    assert article.excerpt == "Written by the editor."


def test_empty_summary_derives_the_excerpt_from_the_body(db):
    article = ArticlePage(body=[{"type": "paragraph", "value": f"<p>{words(90)}</p>"}])

    assert article.excerpt == words(55) + "..."


def test_excerpt_needs_no_database_queries(django_assert_num_queries, db):
    article = ArticlePage(
        body=[{"type": "image", "value": {"image": 1, "alt_text": "x"}}, {"type": "paragraph", "value": "<p>Hi</p>"}]
    )

    with django_assert_num_queries(0):
        assert article.excerpt == "Hi"


def test_press_release_excerpt_starts_with_the_lead(db):
    release = PressReleasePage(
        lead="The lead comes first.", body=[{"type": "paragraph", "value": f"<p>{words(90)}</p>"}]
    )

    assert release.excerpt == "The lead comes first. " + words(51) + "..."


# Block boundaries (issue 15, defect 7): where a paragraph, heading, list item or line ends, words stay apart.


def test_paragraph_list_heading_and_line_break_boundaries_become_spaces():
    raw = [
        {
            "type": "paragraph",
            "value": "<p>First sentence.</p><p>Second</p><h3>Heading</h3><ul><li>one</li><li>two</li></ul>"
            "<p>line<br>break</p><ol><li>three</li></ol>",
        },
        {"type": "paragraph", "value": "<p>Next block</p>"},
    ]

    assert text_of_body(raw) == "First sentence. Second Heading one two line break three Next block"


def test_inline_markup_does_not_split_a_word():
    assert excerpts.text_of_html("<p><b>Bold</b>ness and <a href='/x'>link</a>ed <em>words</em>.</p>") == (
        "Boldness and linked words."
    )


def test_text_of_html_decodes_character_references_exactly_once_and_drops_scripts():
    assert excerpts.text_of_html("<p>Fish &amp; chips, &lt;b&gt; and &amp;lt;</p><script>alert(1)</script>") == (
        "Fish & chips, <b> and &lt;"
    )


def test_headings_and_quotes_are_plain_text_whose_markup_characters_are_words():
    raw = [
        {"type": "heading", "value": {"text": "Use <b> & &amp; wisely", "level": "h2"}},
        {"type": "quote", "value": {"quote": "a < b,\nsaid the\n\nreader", "speaker": "A. Reader"}},
    ]

    assert text_of_body(raw) == "Use <b> & &amp; wisely a < b, said the reader"


def test_an_excerpt_cut_from_several_paragraphs_keeps_their_words_apart(db):
    article = ArticlePage(body=[{"type": "paragraph", "value": f"<p>{words(3)}.</p><p>Then {words(90)}</p>"}])

    assert article.excerpt.startswith("word1 word2 word3. Then word1 word2")
    assert len(article.excerpt.split()) == 55
