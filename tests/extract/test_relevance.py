import dataclasses

from jiwen.core.models import Article
from jiwen.extract.relevance import is_relevant, load_rules, score_relevance

EMPLOYMENT = Article(
    title="县里开展春风行动 送岗位到村口",
    body=(
        "县人社局联合二十家企业开展春风行动，为返乡农民工提供就业岗位一千二百个。\n"
        "现场设置技能培训报名点和社保咨询台，帮助求职者了解就业补贴政策。"
    ),
)
OFF_TOPIC = Article(
    title="古镇油菜花进入盛花期",
    body="连日来，古镇周边万亩油菜花竞相开放，吸引大批游客前来赏花拍照。\n当地还推出了农家乐和民俗表演。",
)


def test_an_employment_article_is_relevant():
    relevant, score = is_relevant(EMPLOYMENT)
    assert relevant
    assert score >= load_rules().threshold


def test_an_off_topic_article_is_not_relevant():
    relevant, score = is_relevant(OFF_TOPIC)
    assert not relevant
    assert score == 0


def test_a_term_in_the_title_counts_more_than_in_the_body():
    in_title = Article(title="稳岗", body="全县开展活动。")
    in_body = Article(title="全县开展活动", body="稳岗。")
    assert score_relevance(in_title) > score_relevance(in_body) > 0


def test_repeating_a_term_stops_counting_at_the_cap():
    rules = load_rules()
    at_cap = Article(body="稳岗" * rules.cap)
    over_cap = Article(body="稳岗" * (rules.cap + 10))
    assert score_relevance(over_cap) == score_relevance(at_cap)


def test_editing_the_rules_changes_the_verdict():
    tourism = dataclasses.replace(load_rules(), terms={"油菜花": 3.0, "游客": 2.0})
    assert is_relevant(OFF_TOPIC, tourism)[0]
    assert not is_relevant(EMPLOYMENT, tourism)[0]
    stricter = dataclasses.replace(load_rules(), threshold=1000.0)
    assert not is_relevant(EMPLOYMENT, stricter)[0]
