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
