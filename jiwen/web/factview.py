"""`jiwen extract --view FILE.html`: an article's facts highlighted in its body and listed in a
table, as one standalone HTML file — the same template (templates/_fact_view.html) and colours
as the article page of `jiwen serve`, so there is one fact view to keep."""

from __future__ import annotations

from importlib import resources

from jiwen.core.models import Article
from jiwen.web.app import templates
from jiwen.web.highlight import fact_view, facts_stylesheet


def render_fact_view_page(article: Article) -> str:
    """The standalone page for `article` and its facts (`article.facts`, as extracted)."""
    stylesheet = resources.files("jiwen.web").joinpath("static/app.css").read_text(encoding="utf-8") + facts_stylesheet()
    return (
        templates()
        .get_template("fact_view_page.html")
        .render(article=article, stylesheet=stylesheet, **fact_view(article.body, article.facts))
    )
