"""The pages in Chinese by default and in English with ?lang=en (jiwen/web/i18n.py), read from a
real `jiwen serve` by chromium: no English word of jiwen's own is left on /trends, /sites,
/facts or an article page; the archive's own text (site names, URLs, codes) stays as it is."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest

RURAL = "农村劳动力转移就业人数"
# Words that are names, not jiwen's English: formats, the time zone, the program, robots.txt,
# a currency code, the fixture archive's site names and the words of its URLs and hosts.
ALLOWED = {"JSON", "CSV", "json", "csv", "UTC", "jiwen", "robots", "CNY"}
_ADDRESS = re.compile(r"(?:https?://)?[\w.-]+\.[a-z]{2,}(?::\d+)?(?:/\S*)?|\S+\.(?:toml|html?)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z_'-]+")


def english_words(text: str, names: set[str]) -> set[str]:
    return {word for word in _WORD.findall(_ADDRESS.sub(" ", text)) if word not in ALLOWED | names}


def _spring_article(server) -> str:
    _, _, body = server.get("/api/search?" + urlencode({"q": "春风行动"}))
    return json.loads(body)["hits"][0]["id"]


def _pages(server) -> dict[str, str]:
    return {
        "trends": "/trends?" + urlencode({"measure": RURAL, "by": "quarter"}),
        "trends without a measure": "/trends?" + urlencode({"measure": RURAL, "place": "海南省"}),
        "sites": "/sites",
        "facts": "/facts?" + urlencode({"place": "贵州省"}),
        "article": f"/article/{_spring_article(server)}",
    }


@pytest.mark.parametrize("name", ["trends", "trends without a measure", "sites", "facts", "article"])
def test_no_english_word_of_jiwens_own_is_left_on_a_page_by_default(page, server, name):
    page.goto(server.base_url + _pages(server)[name])
    page.wait_for_load_state("networkidle")
    # Visible text, tooltips and placeholders alike: a reader meets all three.
    text = page.evaluate(
        "() => [document.title, document.body.innerText,"
        " ...[...document.querySelectorAll('[title],[placeholder],[alt]')].map(e => [e.title, e.placeholder, e.alt].join(' '))].join('\\n')"
    )
    sites = "#sites tbody tr td:first-child a" if name == "sites" else 'section[data-facet="site"] a'
    names = set(page.locator(sites).all_inner_texts())
    assert " ".join(sorted(english_words(text, names))) == "", name
    assert re.search(r"[\u4e00-\u9fff]", page.locator("h1").first.inner_text())


def test_the_same_pages_are_in_english_with_lang_en(page, server):
    english = {
        "trends": ("Indicators in this archive", "latest figure reported"),
        "sites": ("Run history", "last run (UTC)"),
        "facts": ("Every figure of the archive", "in its sentence"),
        "article": ("archived page", "in a sandboxed frame"),
    }
    for name, path in _pages(server).items():
        if name not in english:
            continue
        page.goto(server.base_url + path + "&lang=en" if "?" in path else server.base_url + path + "?lang=en")
        text = page.locator("body").inner_text()
        assert all(words in text for words in english[name]), name


def test_a_figures_kind_and_role_read_in_chinese_in_the_facets_and_the_filter_chips(page, server):
    page.goto(server.base_url + "/facts?" + urlencode({"kind": "count", "role": "actual"}))
    assert page.locator(".filters").inner_text().split() == ["筛选：", "类型:", "数量", "✕", "性质:", "实际", "✕"]
    assert "数量" in page.locator('section[data-facet="kind"]').inner_text()
    assert page.locator('select[name="role"] option:checked').inner_text() == "实际"
    assert "role=actual" in page.locator('section[data-facet="kind"] a').first.get_attribute("href")


def test_the_trend_charts_own_words_follow_the_page_language(server):
    from jiwen.library.trends import cjk_font

    if cjk_font() is None:  # without one the chart writes codes and ASCII words (see _labels)
        pytest.skip("no CJK font installed for matplotlib")
    query = urlencode({"measure": RURAL, "by": "quarter"})
    _, _, chinese = server.get(f"/trends/chart.svg?{query}")
    _, _, english = server.get(f"/trends/chart.svg?{query}&lang=en")
    assert "（按季度）" in chinese.decode() and "(by quarter)" not in chinese.decode()
    assert "(by quarter)" in english.decode()
