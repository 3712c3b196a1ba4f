"""/facts in a real `jiwen serve` driven by chromium: every figure of the archive, filtered, with
facet counts, each linked to its sentence; CSV and JSON downloads of the current filter; the
search page's downloads; bad parameters named together above the kept form; Chinese by default."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

RURAL = "农村劳动力转移就业人数"


def test_facts_lists_every_figure_with_facet_counts_and_a_click_filters(page, server):
    page.goto(server.base_url + "/facts")
    total = int(page.get_attribute("#total", "data-total"))
    assert total >= 10
    kinds = page.locator('section[data-facet="kind"] li')
    counts = {item.locator("a").inner_text(): int(item.locator(".count").inner_text()) for item in kinds.all()}
    assert sum(counts.values()) == total and "数量" in counts  # count, in the page's Chinese
    page.locator('section[data-facet="measure"] a', has_text=RURAL).click()
    page.wait_for_load_state()
    assert "measure=" in page.url
    filtered = int(page.get_attribute("#total", "data-total"))
    assert 0 < filtered < total
    assert all(text == RURAL for text in page.locator("#figures tbody tr td:nth-child(4)").all_inner_texts())


def test_a_figure_links_to_its_sentence_in_its_article(page, server):
    page.goto(server.base_url + f"/facts?measure={quote(RURAL)}&place={quote('从江县')}")
    link = page.locator("a.sentence-link").first
    figure = page.locator("#figures tbody tr td:first-child").first.inner_text()
    link.click()
    page.wait_for_load_state()
    assert "/article/" in page.url and "#f" in page.url
    anchor = page.url.split("#")[1]
    target = page.locator(f"[id='{anchor}']")
    assert target.count() == 1 and figure in target.inner_text()


def test_downloads_hold_every_figure_of_the_current_filter(server):
    status, headers, body = server.get(f"/facts.csv?place={quote('贵州省')}&bom=1")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert body.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    status, _, body = server.get(f"/facts.json?place={quote('贵州省')}")
    figures = json.loads(body)
    assert status == 200 and len(figures) == len(rows) >= 5
    assert all(row["province"] == "贵州省" or row["place"] == "贵州省" for row in figures)
    status, _, page_body = server.get(f"/facts?place={quote('贵州省')}")
    assert f'data-total="{len(rows)}"' in page_body.decode("utf-8")


def test_the_search_page_offers_its_results_as_json_and_csv(page, server):
    page.goto(server.base_url + "/?q=" + quote("就业"))
    total = int(page.get_attribute("#total", "data-total"))
    json_link = page.locator("#downloads a", has_text=".json").get_attribute("href")
    csv_link = page.locator("#downloads a", has_text=".csv").get_attribute("href")
    status, _, body = server.get(json_link)
    assert status == 200 and json.loads(body)["total"] == total
    status, _, body = server.get(csv_link)
    assert status == 200 and len(list(csv.DictReader(io.StringIO(body.decode("utf-8"))))) == min(total, 1000)


def test_every_bad_parameter_is_named_above_the_kept_form(page, server):
    response = page.goto(server.base_url + f"/facts?kind=pie&period=24&place={quote('贵洲省')}&measure={quote(RURAL)}")
    assert response.status == 400
    problems = page.locator("#error li").all_inner_texts()
    assert len(problems) == 3
    assert {item.get_attribute("data-parameter") for item in page.locator("#error li").all()} == {"kind", "period", "place"}
    assert any("did you mean 贵州省" in problem for problem in problems)
    assert page.locator("#facts-form input[name=place]").input_value() == "贵洲省"
    assert page.locator("#facts-form input[name=measure]").input_value() == RURAL
    error_box = page.locator("#error").bounding_box()
    form_box = page.locator("#facts-form").bounding_box()
    assert error_box["y"] < form_box["y"]
    response = page.goto(server.base_url + "/?q=" + quote("就业") + "&since=2024-13&sort=sideways")
    assert response.status == 400 and page.locator("#error li").count() == 2
    assert page.locator("#search-form input[name=q]").input_value() == "就业"


def test_the_pages_are_in_chinese_unless_english_is_asked_for(page, server, browser):
    page.goto(server.base_url + "/facts")
    assert page.locator("html").get_attribute("lang") == "zh" and page.locator("nav a").first.inner_text() == "搜索"
    page.goto(server.base_url + "/facts?lang=en")
    assert page.locator("html").get_attribute("lang") == "en" and page.locator("nav a").first.inner_text() == "Search"
    context = browser.new_context(locale="en-US")
    try:
        english = context.new_page()
        english.goto(server.base_url + "/")
        assert english.locator("nav a").nth(1).inner_text() == "Facts"
    finally:
        context.close()
