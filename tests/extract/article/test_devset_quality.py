"""jiwen against the dev set (30 real Chinese news pages, gold in /work/shared/eval/html-dev.json),
scored as the eval README says. bench/extract_quality.py prints the same numbers beside the peers'."""

from bench.devset import CATEGORIES, score_jiwen

OVERALL_BAR = 0.95
CATEGORY_BAR = 0.9


def test_jiwen_scores_at_least_095_overall_and_09_in_every_category(devset):
    summary = score_jiwen(devset)
    weak_pages = {name: round(score, 2) for name, score in summary.pages.items() if score < 1}
    assert summary.overall >= OVERALL_BAR, f"overall {summary.overall:.3f}; weak pages: {weak_pages}"
    for category in CATEGORIES:
        assert summary.categories[category] >= CATEGORY_BAR, f"{category} {summary.categories[category]:.3f}; weak pages: {weak_pages}"


def test_every_dev_page_yields_an_article(devset):
    from jiwen.extract.article import extract_article

    for page in devset:
        article = extract_article(page.data, url=page.gold.get("url"))
        assert article.body, page.name
        assert article.encoding == "utf-8", page.name
