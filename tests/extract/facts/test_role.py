"""The role of a figure (extract/facts/attribution/role.py, rules in extract/data/roles.toml): a
result, a plan, a budget, a per-unit rate, a change, or something else. Sentences written for
these tests."""

from __future__ import annotations

import pytest

from jiwen.core.models import MeasuredFact
from jiwen.extract.facts import facts_of_text

PUBLISHED = "2024-04-10"


class _Roles(dict):
    """Roles by figure; looked up by the figure's number and unit (a count's text may start with
    its subject: 农村劳动力3200人)."""

    def __getitem__(self, figure: str) -> str | None:
        found = [role for text, role in self.items() if figure in text]
        if len(found) != 1:
            raise KeyError(f"{figure!r} in {dict(self)}")
        return found[0]

    def get(self, figure, default=None):
        try:
            return self[figure]
        except KeyError:
            return default


def roles(text: str, published: str | None = PUBLISHED) -> _Roles:
    return _Roles({f.text: f.role for f in facts_of_text(text, published) if isinstance(f, MeasuredFact)})


@pytest.mark.parametrize(
    ("text", "figure", "role"),
    [
        ("一季度，某县累计输送农村劳动力3200人。", "3200人", "actual"),
        ("某县计划今年输送农村劳动力5000人以上。", "5000人以上", "target"),
        ("全市力争年底前新增就业岗位8000个。", "8000个", "target"),
        ("省财政今年安排就业补助资金2.5亿元。", "2.5亿元", "allocation"),
        ("对吸纳就业的企业，按每人1000元的标准给予一次性补贴。", "1000元", "standard"),
        ("返乡创业人员最高可申请创业担保贷款20万元。", "20万元", "standard"),
        ("一季度全县外出务工人数同比增长8.5%。", "8.5%", "change"),
        ("全县城镇登记失业率同比下降2.1%。", "2.1%", "change"),
        ("该县已累计发放稳岗返还资金1200万元。", "1200万元", "actual"),
    ],
)
def test_each_role_from_the_words_around_the_figure(text, figure, role):
    found = roles(text)
    assert found.get(figure) == role, found


def test_a_plan_word_earlier_in_the_sentence_does_not_make_a_reported_result_a_plan():
    found = roles("按照年度计划，截至3月底全县已完成培训1500人次。")
    assert found["1500人次"] == "actual"


def test_progress_against_a_target_is_a_result():
    assert roles("全市新增就业已完成年度目标任务的92%。")["92%"] == "actual"


def test_a_workers_own_monthly_pay_is_a_level_not_a_rate():
    assert roles("在园区务工的村民每人每月工资5000元左右。")["5000元"] == "actual"


def test_a_date_after_publication_makes_a_plan():
    assert roles("到2026年，全省培训农村劳动力30万人次。")["30万人次"] == "target"


def test_figures_listed_after_a_change_take_its_role():
    found = roles("三地外出务工人数分别增长12%、9%和5%。")
    assert [found[text] for text in ("12%", "9%", "5%")] == ["change", "change", "change"]


def test_a_count_of_places_in_a_plan_is_a_stock():
    assert roles("今年计划在12个重点县开展劳务品牌建设。")["12个重点县"] == "actual"


def test_every_figure_gets_a_role_and_no_other_fact_does():
    facts = facts_of_text("某县举办招聘会12场，提供岗位3000个，计划明年再举办20场。", PUBLISHED)
    measured = [f for f in facts if isinstance(f, MeasuredFact)]
    assert measured and all(f.role is not None for f in measured)
    assert not any(hasattr(f, "role") and not isinstance(f, MeasuredFact) and f.role in ("actual", "target") for f in facts)
