"""`jiwen extract --view`: one standalone HTML file with the facts highlighted and listed, from the
same template as the article page of `jiwen serve` (jiwen/web/factview.py)."""

from __future__ import annotations

from lxml import html as lxml_html

from jiwen.core.models import Article
from jiwen.extract.facts import extract_facts
from jiwen.web.factview import render_fact_view_page


def _with_facts(article: Article) -> Article:
    article.facts = extract_facts(article)
    return article


def test_the_page_is_standalone_html_with_highlighted_facts():
    article = _with_facts(Article(title="从江县输送劳动力", body="近日，黔东南州从江县输送626名农村劳动力到广东，补贴6000多元。"))
    page = render_fact_view_page(article)
    tree = lxml_html.fromstring(page)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert tree.xpath("string(//title)") == "从江县输送劳动力"
    assert tree.xpath("//link") == [] and tree.xpath("//script") == []  # nothing fetched from a server
    assert ".fact-place" in tree.xpath("string(//style)")  # the colours travel with the file
    marked = {mark.get("data-kind") for mark in tree.xpath("//mark")}
    assert {"place", "count", "money"} <= marked
    assert "黔东南苗族侗族自治州" in tree.xpath("string(//table)")  # the canonical name in the table of facts


def test_nested_facts_are_drawn_once_and_all_listed():
    article = _with_facts(Article(body="剑河县人社局开展培训。"))
    tree = lxml_html.fromstring(render_fact_view_page(article))
    assert [mark.get("data-kind") for mark in tree.xpath("//div[@id='body']/mark")] == ["org"]
    table = tree.xpath("string(//table)")
    assert "剑河县人社局" in table and "名称=剑河县" in table  # the field names in Chinese, as on the article page


def test_markup_in_the_title_and_body_is_shown_as_text_never_run():
    attack = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    article = _with_facts(Article(title="从江县" + attack, body="近日，从江县输送626名农村劳动力。" + attack))
    tree = lxml_html.fromstring(render_fact_view_page(article))
    assert tree.xpath("//img") == [] and tree.xpath("//script") == [] and tree.xpath("//*[@onerror]") == []
    assert attack in tree.xpath("string(//h1)")  # the title, shown as the text it is
    assert attack in tree.xpath("string(//title)")
    assert attack in tree.xpath("string(//div[@id='body'])")
