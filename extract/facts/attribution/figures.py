"""Attribution of figures: what a count, money or percent measures, where and when.

`attribute` fills every measured fact's attribution; one module per question beside it
(areas, publisher, place, measure, period).

Runs after the other finders, over their facts (a pure function of the text, the facts and the
publication date). The contract (README "Facts"):

- `measure`: the indicator (extract/data/indicators.toml) one of whose words stands closest
  before the figure in its clause or in its subject; null when none does.
- `place`: the place the figure is about. Looked for in this order: a place inside the figure's
  own text (680余名黔南州籍员工); the nearest place before it in its sentence, then in its
  paragraph, skipping destinations (前往金华, 赴粤, 在佛山等地) and reading 全省/该县/我市 as the
  article's place at that level; else the article's place (the first place of the title, else the
  place the body names most). 全国/我国 make it "全国".
- `period_start`/`period_end`: from the nearest date before the figure in its sentence, then its
  paragraph: 截至X = (null, end of X); X以来 = (start of X, publication); this year's 今年 for
  an achieved figure = (1 January, publication), for a plan or budget (计划, 将, 每年) the
  calendar year; a day = that day at both ends; any other date = its first and last day. With no
  date: 每年/全年 = the publication year, else (null, publication) — a stock or total at the
  time of writing. Without a publication date, relative dates stay unresolved and so do periods.
"""

from __future__ import annotations

from bisect import bisect_right

from jiwen.core.models import DateFact, Fact, MeasuredFact, PlaceFact
from jiwen.extract.facts.areas import attribution_rules, province_area
from jiwen.extract.facts.attribution.measure import measure_of
from jiwen.extract.facts.attribution.period import day, period_of
from jiwen.extract.facts.attribution.place import article_place, place_anchors, place_for
from jiwen.extract.facts.attribution.role import assign_roles
from jiwen.extract.facts.publisher import publisher_province, says_we
from jiwen.extract.facts.sentences import sentence_bounds


def attribute(text: str, facts: list[Fact], published: str | None, title: str | None = None, province: str | None = None) -> None:
    """Fill the attribution fields of the measured facts in `facts` (in place). `province`: the
    publisher's province when the caller knows it (sites.toml, `jiwen extract --province`); it
    decides 我省/本省/全省 before anything the text says."""
    measured = [f for f in facts if isinstance(f, MeasuredFact)]
    if not measured:
        return
    rules = attribution_rules()
    places = [f for f in facts if isinstance(f, PlaceFact)]
    dates = [f for f in facts if isinstance(f, DateFact)]
    home = article_place(title, places, text)
    publisher = province_area(province) if province else publisher_province(text, places)
    if publisher is not None and (home is None or home.level == "province") and says_we(text, rules):
        # A paper that writes 我省 tells its story from its own province, even where it names its
        # partner more (苏陕协作 in a Shaanxi paper): figures with no place of their own are its.
        home = publisher
    anchors = place_anchors(text, places, rules, home, publisher)
    anchor_starts = [a[0] for a in anchors]
    date_starts = [d.start for d in dates]
    paragraphs = _paragraph_starts(text, tuple(rules["continuation_openers"]))
    sentence_starts, _ends = sentence_bounds(text)
    base = day(published)
    assign_roles(text, measured, dates, base)
    for fact in measured:
        paragraph = paragraphs[bisect_right(paragraphs, fact.start) - 1] if paragraphs else 0
        sentence = sentence_starts[bisect_right(sentence_starts, fact.start) - 1] if sentence_starts else 0
        area = place_for(text, fact, anchors, anchor_starts, paragraph, sentence, sentence_starts, home)
        if area is not None:
            fact.place, fact.place_adcode = area.name, area.adcode
        fact.measure = measure_of(text, fact, sentence, rules)
        fact.period_start, fact.period_end = period_of(text, fact, dates, date_starts, paragraph, sentence, base, rules)


def _paragraph_starts(text: str, continuations: tuple[str, ...] = ()) -> list[int]:
    """Where each paragraph starts; one that opens with a continuation word (其中) is part of the one
    before it."""
    starts = [0]
    position = text.find("\n")
    while position >= 0:
        if not text[position + 1 : position + 8].lstrip().startswith(continuations) or not continuations:
            starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts
