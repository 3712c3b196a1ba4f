"""Attribution of figures (extract/facts/attribution/): what a figure measures, where and when.
Sentences written for this project."""

from __future__ import annotations

from jiwen.core.models import CountFact, MeasuredFact
from jiwen.extract.facts import facts_of_text


def figure(text: str, value, published: str | None = "2024-06-20", title: str | None = None) -> MeasuredFact:
    found = [f for f in facts_of_text(text, published, title) if isinstance(f, MeasuredFact) and f.value == value]
    assert len(found) == 1, found
    return found[0]


def test_a_place_inside_the_figure_is_its_place():
    fact = figure("昨天下午，第二趟专列载着680余名黔南州籍员工驶往宁波。", 680)
    assert (fact.place, fact.place_adcode) == ("黔南布依族苗族自治州", "522700")


def test_a_destination_is_not_the_figure_s_place_the_article_s_place_is():
    fact = figure("今年以来，累计组织1200名务工人员赴广东、浙江务工。", 1200, title="遵义市开出返岗专列")
    assert fact.place == "遵义市"


def test_the_nearest_place_before_the_figure_in_its_sentence_wins():
    fact = figure("据统计，毕节市今年新增城镇就业3.2万人。", 32000, title="贵州稳就业")
    assert fact.place == "毕节市"
    assert fact.measure == "城镇新增就业人数"


def test_a_place_from_an_earlier_sentence_of_the_paragraph_is_its_topic_place():
    text = "株洲市春季招聘会15日在荷塘区文化广场开幕。共有200余家企业参会。"
    assert figure(text, 200).place == "株洲市"


def test_the_whole_province_word_lifts_the_article_s_place_to_its_province():
    fact = figure("截至5月底，全省农村劳动力转移就业达到980万人。", 9800000, title="从江县召开劳务输出推进会")
    assert fact.place == "贵州省"
    assert fact.measure == "农村劳动力转移就业人数"
    assert (fact.period_start, fact.period_end) == (None, "2024-05-31")


def test_a_national_figure_is_attributed_to_the_whole_country():
    assert figure("一季度，全国城镇新增就业303万人。", 3030000).place == "全国"


def test_since_a_date_runs_to_the_publication_day():
    fact = figure("今年以来，该县开展职业技能培训3600人次。", 3600)
    assert (fact.period_start, fact.period_end) == ("2024-01-01", "2024-06-20")
    assert fact.measure == "培训人次"


def test_this_year_s_achieved_figure_runs_to_publication_and_a_plan_to_the_year_end():
    achieved = figure("今年，全市共举办招聘会45场。", 45)
    planned = figure("今年，全市计划举办招聘会80场。", 80)
    assert (achieved.period_start, achieved.period_end) == ("2024-01-01", "2024-06-20")
    assert (planned.period_start, planned.period_end) == ("2024-01-01", "2024-12-31")


def test_a_quarter_and_a_completed_year_cover_their_months():
    quarter = figure("一季度，城镇新增就业5.1万人。", 51000)
    year = figure("2023年，全州有组织劳务输出12万人。", 120000)
    assert (quarter.period_start, quarter.period_end) == ("2024-01-01", "2024-03-31")
    assert (year.period_start, year.period_end) == ("2023-01-01", "2023-12-31")
    assert year.measure == "有组织劳务输出人数"


def test_a_figure_without_time_words_is_a_stock_at_publication():
    fact = figure("目前已建成就业帮扶车间36个。", 36)
    assert (fact.period_start, fact.period_end) == (None, "2024-06-20")
    assert fact.measure == "就业帮扶车间数"


def test_without_a_publication_date_relative_periods_stay_unresolved():
    fact = figure("今年以来，累计培训农民工800人次。", 800, published=None)
    assert (fact.period_start, fact.period_end) == (None, None)


def test_money_and_percent_get_a_measure_of_their_kind():
    money = figure("发放一次性求职创业补贴300万元。", 3000000)
    share = figure("城镇调查失业率为5.1%。", 5.1)
    assert money.measure == "发放补贴金额"
    assert share.measure == "失业率"


def test_a_count_whose_subject_stands_before_it_gets_that_subject():
    fact = figure("两地开展定期交流互访累计180余次。", 180)
    assert isinstance(fact, CountFact)
    assert fact.subject.endswith("定期交流互访")  # the clause before the figure, without 累计
    assert fact.text == "180余次"


def test_a_plan_from_a_month_on_runs_to_that_year_s_end_and_n_years_count_from_the_date_s_year():
    from_july = figure("今年7月投产后，该厂用工需求将超过2万人。", 20000)
    three_years = figure("2022年初，该州提出3年内转移就业10万人。", 100000)
    assert from_july.period_end == "2024-12-31"
    assert three_years.period_end == "2024-12-31"


def test_a_measure_counts_only_figures_of_its_unit_and_words_of_the_figure_s_own_clause():
    sites = figure("全省已建成就业帮扶车间120个，带动就业3.5万人。", 120)
    people = figure("全省已建成就业帮扶车间120个，带动就业3.5万人。", 35000)
    matters = figure("帮助农民工处理维权事项7000余件。", 7000)
    assert sites.measure == "就业帮扶车间数"
    assert people.measure == "带动就业人数"
    assert matters.measure is None


def test_our_province_is_the_publisher_s_when_its_source_line_names_it():
    text = "来源：陕西日报\n江苏省与陕西结对帮扶以来，江苏省多次来陕对接，江苏无锡、常州企业提供岗位。去年，我省农村劳动力转移就业23480人。"
    fact = figure(text, 23480, published="2022-02-14", title="苏陕帮扶稳就业")
    assert fact.place == "陕西省"


def test_our_province_is_the_publisher_s_from_a_reporter_s_dateline():
    text = "(记者 王某) 西安2月14日电 江苏、江苏、江苏企业来陕招聘。全省去年转移就业农村劳动力600万人。"
    fact = figure(text, 6000000, published="2022-02-14", title="苏陕协作")
    assert fact.place == "陕西省"


def test_a_publisher_line_naming_a_province_the_body_never_names_is_ignored():
    text = "来源：安徽工人日报\n新疆、新疆、新疆的企业。全区农民工返岗5万人。"
    fact = figure(text, 50000, published="2019-10-17", title="新疆稳就业")
    assert fact.place == "新疆维吾尔自治区"


def test_a_count_written_in_persons_times_is_a_count_of_person_times():
    fact = figure("全年组织各类技能培训86.4万人(次)。", 864000, published="2018-01-10")
    assert isinstance(fact, CountFact) and fact.unit == "人次"
    assert fact.text.endswith("(次)")


def test_places_a_plan_takes_on_are_counted_at_publication_not_at_the_plan_s_end():
    text = "新疆推进就业帮扶三年计划(2018-2020年)，覆盖30个重点帮扶县，实现转移就业10万人。"
    fact = figure(text, 30, published="2018-01-10")
    assert (fact.period_start, fact.period_end) == (None, "2018-01-10")
    plan = figure(text, 100000, published="2018-01-10")
    assert plan.period_end == "2020-12-31"


def test_in_a_two_province_partnership_our_province_is_the_side_the_partner_acts_on():
    # No dateline or source line: the pair 闽宁 and the partner acting on us (福建省向我区…) tell it.
    text = "闽宁协作持续深化。福建省今年向我区援建帮扶车间52个，福建省企业吸纳务工人员。闽宁两省共建产业园区12个。"
    workshops = figure(text, 52, published="2023-07-01", title="闽宁协作再上新台阶")
    parks = figure(text, 12, published="2023-07-01", title="闽宁协作再上新台阶")
    assert workshops.place == "宁夏回族自治区"
    assert parks.place == "宁夏回族自治区"  # a joint figure (两省共建), told from our side


def test_a_partnership_told_from_the_other_side_is_that_side_s():
    text = "闽宁协作持续深化。宁夏回族自治区组织务工人员来我省就业，我省去年接收务工人员8600人。"
    assert figure(text, 8600, published="2023-07-01").place == "福建省"
    text = "闽宁协作持续深化。我省选派干部到宁夏回族自治区挂职，我省去年接收务工人员8600人。"
    assert figure(text, 8600, published="2023-07-01").place == "福建省"


def test_our_province_named_beside_we_is_not_taken_for_the_partner():
    text = "闽宁协作持续深化。我省印发工作要点、福建省劳务协作方案。今年以来，我省接收务工人员8600人。"
    assert figure(text, 8600, published="2023-07-01").place == "福建省"


def test_a_partnership_without_our_province_is_not_read_as_anyone_s_side():
    fact = figure("闽宁协作持续深化。福建省今年在宁夏援建帮扶车间52个。", 52, published="2023-07-01")
    assert fact.place == "宁夏回族自治区"


def test_from_a_date_on_runs_to_publication_for_an_achieved_figure_and_n_years_for_a_plan():
    text = "自去年起，全区实施就业帮扶行动，覆盖15个重点县，计划在3年内帮助4万人转移就业。"
    counties = figure(text, 15, published="2019-10-17")
    planned = figure(text, 40000, published="2019-10-17")
    assert (counties.period_start, counties.period_end) == ("2018-01-01", "2019-10-17")
    assert (planned.period_start, planned.period_end) == ("2018-01-01", "2020-12-31")


def test_a_year_compared_with_is_not_the_figure_s_period_and_a_budget_is_the_year_s():
    text = "今年以来，全市新增市场主体1.2万户，比去年同期增长18.5%。"
    assert (figure(text, 18.5).period_start, figure(text, 18.5).period_end) == ("2024-01-01", "2024-06-20")
    budget = figure("今年，省里安排就业补助资金2000万元。", 20000000)
    assert (budget.period_start, budget.period_end) == ("2024-01-01", "2024-12-31")
    done = figure("今年，全县已安排就业2600人。", 2600)
    assert (done.period_start, done.period_end) == ("2024-01-01", "2024-06-20")


def test_a_list_of_places_ending_in_deng_is_the_province_they_share_not_the_last_city():
    fact = figure("专列搭载来自遵义、毕节、铜仁等地的860名务工人员返岗。", 860, title="返岗专列开出")
    assert fact.place == "贵州省"
    mixed = figure("为广州、南宁等地的120家企业输送员工。", 120, title="遵义市开出返岗专列")
    assert mixed.place == "遵义市"  # no province they share: the article's place


def test_people_brought_into_a_province_are_not_that_province_s_figure():
    fact = figure("去年，全区有组织输入广东的务工人员达5200人。", 5200, title="广西劳务输出")
    assert fact.place == "广西壮族自治区"
