"""An article's facts highlighted in its body, as a standalone HTML page (spaCy's displaCy).

`jiwen extract --view FILE.html` writes what `render_facts_html(article)` returns. displaCy's
"ent" style draws one layer of non-overlapping spans, so where facts nest (剑河县 inside the org
剑河县人社局) only the outer one is highlighted; every fact, nested or not, is listed with its
fields in a table under the text.
"""

from __future__ import annotations

import html

from jiwen.models import Article, Fact, fact_kind

from .extractor import extract_facts

LABELS = {
    "count": "COUNT",
    "money": "MONEY",
    "percent": "PERCENT",
    "place": "PLACE",
    "program": "PROGRAM",
    "date": "DATE",
    "org": "ORG",
    "person": "PERSON",
}
COLORS = {
    "COUNT": "#fde68a",
    "MONEY": "#bbf7d0",
    "PERCENT": "#a7f3d0",
    "PLACE": "#bfdbfe",
    "PROGRAM": "#f5d0fe",
    "DATE": "#fecaca",
    "ORG": "#ddd6fe",
    "PERSON": "#fed7aa",
}


def _drawn(facts: list[Fact]) -> list[Fact]:
    """The outermost facts, left to right, none overlapping the one before."""
    drawn: list[Fact] = []
    for fact in sorted(facts, key=lambda f: (f.start, -(f.end - f.start))):
        if drawn and fact.start < drawn[-1].end:
            continue
        drawn.append(fact)
    return drawn


def _detail(fact: Fact) -> str:
    import msgspec

    fields = msgspec.to_builtins(fact)
    for key in ("kind", "text", "start", "end", "sentence"):
        fields.pop(key, None)
    return ", ".join(f"{key}={value}" for key, value in fields.items() if value is not None)


def render_facts_html(article: Article) -> str:
    """A standalone HTML page: the body with its facts highlighted, then a table of all facts.
    Uses `article.facts` when the article carries them, else extracts them."""
    from spacy import displacy

    facts = list(article.facts) if article.facts else extract_facts(article)
    spans = [{"start": f.start, "end": f.end, "label": LABELS[fact_kind(f)]} for f in _drawn(facts)]
    page = displacy.render(
        # displaCy escapes the text but puts the title into its <h2> as given: page text is untrusted.
        {"text": article.body, "ents": spans, "title": html.escape(article.title) if article.title else None},
        style="ent",
        manual=True,
        page=True,
        options={"colors": COLORS, "ents": list(COLORS)},
    )
    rows = "\n".join(
        f"<tr><td>{LABELS[fact_kind(f)]}</td><td>{html.escape(f.text)}</td><td>{f.start}–{f.end}</td>"
        f"<td>{html.escape(_detail(f))}</td></tr>"
        for f in sorted(facts, key=lambda f: f.start)
    )
    table = (
        '<table style="margin:1em 2em;border-collapse:collapse;font-size:14px" border="1" cellpadding="4">'
        "<tr><th>kind</th><th>text</th><th>offsets</th><th>fields</th></tr>\n"
        f"{rows}</table>"
    )
    page = page.replace('<html lang="en">', '<html lang="zh">', 1)
    title = html.escape(article.title or "jiwen facts")
    page = page.replace("<head>", '<head>\n<meta charset="utf-8">', 1).replace(
        "<title>displaCy</title>", f"<title>{title}</title>", 1
    )
    return page.replace("</body>", table + "\n</body>", 1) if "</body>" in page else page + table
