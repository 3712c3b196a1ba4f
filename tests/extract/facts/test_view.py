"""The facts page: standalone HTML from displaCy with the facts highlighted and listed."""

from __future__ import annotations

from jiwen.extract.facts.view import render_facts_html

from jiwen.models import Article


def test_the_page_is_standalone_html_with_highlighted_facts():
    article = Article(title="从江县输送劳动力", body="近日，黔东南州从江县输送626名农村劳动力到广东，补贴6000多元。")
    page = render_facts_html(article)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "<title>从江县输送劳动力</title>" in page
    for label in ("PLACE", "COUNT", "MONEY", "DATE"):
        assert label in page
    assert "黔东南苗族侗族自治州" in page  # the canonical name in the table of facts


def test_nested_facts_are_drawn_once_and_all_listed():
    article = Article(body="剑河县人社局开展培训。")
    page = render_facts_html(article)
    assert page.count('class="entity"') == 1  # the org drawn, the county inside it not drawn twice
    assert "剑河县人社局" in page and "name=剑河县" in page


def test_markup_in_the_title_and_body_is_shown_as_text_never_run():
    from lxml import html as lxml_html

    attack = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    article = Article(title="从江县" + attack, body="近日，从江县输送626名农村劳动力。" + attack)
    page = render_facts_html(article)
    tree = lxml_html.fromstring(page)
    assert tree.xpath("//img") == [] and tree.xpath("//script") == [] and tree.xpath("//*[@onerror]") == []
    assert attack in tree.xpath("string(//h2)")  # the title, shown as the text it is
    assert attack in tree.xpath("string(//title)")
    assert attack in tree.xpath("string(//body)")
