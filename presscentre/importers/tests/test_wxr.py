from pathlib import Path

import pytest

from presscentre.importers.wxr import WXRAuthor, WXRChannel, WXRError, WXRItem, WXRTerm, iter_wxr

FIXTURES = Path(__file__).parent / "fixtures"


def records(name: str) -> list:
    return list(iter_wxr(FIXTURES / name))


def test_channel_comes_first_with_version_and_site():
    channel = records("site.xml")[0]
    assert isinstance(channel, WXRChannel)
    assert channel.version == "1.2"
    assert channel.site == "https://old.example.org"


def test_authors_terms_and_items_are_read_in_order():
    found = records("site.xml")
    assert [a.login for a in found if isinstance(a, WXRAuthor)] == ["asha"]
    terms = [t for t in found if isinstance(t, WXRTerm)]
    assert [(t.taxonomy, t.slug, t.parent) for t in terms] == [
        ("category", "press-releases", ""),
        ("category", "economy", "press-releases"),
        ("post_tag", "budget", ""),
    ]
    items = [i for i in found if isinstance(i, WXRItem)]
    assert [i.post_id for i in items] == ["10", "11", "12", "13", "14", "15", "16"]


def test_item_keeps_terms_with_domains_comments_and_excerpt():
    item = next(r for r in records("site.xml") if isinstance(r, WXRItem))
    assert [(t.domain, t.slug) for t in item.terms] == [
        ("category", "press-releases"),
        ("category", "economy"),
        ("post_tag", "budget"),
    ]
    assert [c.approved for c in item.comments] == ["1", "0", "spam", "trash", "1", "0"]
    assert item.comments[4].type == "pingback"
    assert item.comments[0].author_ip == "192.0.2.1"
    assert item.excerpt == "A <em>short</em> summary &amp; more."


def test_text_is_preserved_exactly():
    item = records("wxr-1.0-http.xml")[1]
    assert item.title == "Tricky 'text'"
    assert item.content == "A\\B \\\\ back\u202eslash\u200b \U0001f600 <![CDATA[x]]>"


def test_https_namespace_and_latin1_declaration_are_read():
    found = records("latin1-https.xml")
    assert found[0].version == "1.1"
    assert found[1].title == "Café crème £ 5"
    assert found[1].content == "Naïve résumé"


def test_not_well_formed_file_is_refused_naming_file_and_line():
    with pytest.raises(WXRError, match=r"malformed\.xml: line \d+: not well-formed XML"):
        records("malformed.xml")


def test_missing_version_is_refused_as_not_wxr():
    with pytest.raises(WXRError, match=r"no-version\.xml: not a WXR file"):
        records("no-version.xml")


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(WXRError, match="cannot read"):
        records(str(tmp_path / "absent.xml"))
