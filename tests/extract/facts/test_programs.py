"""Programmes: quoted names with programme suffixes or programme words after them, the lexicon,
name shapes; slogans, job titles, industries and lists are not programmes."""

from __future__ import annotations

from jiwen.core.models import ProgramFact
from jiwen.extract.facts import facts_of_text


def programs_in(text: str) -> list[str]:
    return [f.name for f in facts_of_text(text) if isinstance(f, ProgramFact)]


def test_quoted_names_with_a_programme_suffix_are_programmes():
    text = "从年初的“春风行动”开始，在广州市建立“山海心连之家”，举办“广港班”“广汽班”等订单班。"
    assert programs_in(text) == ["春风行动", "山海心连之家", "广港班", "广汽班"]


def test_every_quoted_name_of_a_run_before_a_programme_word_is_a_programme():
    text = "组织实施“贵州技工”“黔菜师傅”“黔灵家政”“黔旅工匠”四项培训工程。依托“贵州人办家乡事”平台办事。"
    assert programs_in(text) == ["贵州技工", "黔菜师傅", "黔灵家政", "黔旅工匠", "贵州人办家乡事"]


def test_a_job_title_is_a_programme_only_before_a_word_that_names_one():
    assert programs_in("两广地区“甘蔗采收工”需求量大。") == []
    assert programs_in("以“湘菜师傅”“湘绣女工”等劳务品牌为牵引。") == ["湘菜师傅", "湘绣女工"]


def test_slogans_lists_industries_and_generic_words_are_not_programmes():
    text = (
        "围绕“贵州酱酒”“贵州绿茶”“贵州大数据”等，让务工人员“输得出、稳得住、增收入”，"
        "建立“省级总站+市级分站+县级工作站”体系，搭建“一张网”，开展“订单”培训，采取“订单式、定向式”培训。"
    )
    assert programs_in(text) == []


def test_programme_shapes_and_the_lexicon_work_without_quotes_and_with_notes():
    assert programs_in("共建129个“一县一企(多企)”稳岗就业基地。") == ["一县一企(多企)"]
    assert programs_in("全省启动春风行动和就业援助月。") == ["春风行动", "就业援助月"]


def test_the_lexicon_is_a_data_file_a_user_can_extend():
    from jiwen.extract.facts.nlp import load_rules
    from jiwen.text.rules import load_text_data

    assert "春风行动" in load_text_data("programmes.toml")["known"]
    assert "行动" in load_rules("programs.toml")["suffixes"]


def test_a_province_s_one_character_name_with_zi_hao_is_a_labour_brand_without_quotes():
    names = [f.name for f in facts_of_text("四川打造川字号特色劳务品牌，中华老字号焕发新生。") if isinstance(f, ProgramFact)]
    assert names == ["川字号"]


def test_a_place_and_a_trade_unquoted_is_a_labour_brand_but_not_an_institution():
    text = "湘西绣娘走出大山，遵义技工学校今年招生。"
    names = [f.name for f in facts_of_text(text) if isinstance(f, ProgramFact)]
    assert names == ["湘西绣娘"]


def test_an_unquoted_campaign_someone_runs_is_found_by_its_ending():
    text = "各地开展2023年民营企业服务月活动，启动就业帮扶专项行动，开展了为期一个月的专项行动。"
    names = [f.name for f in facts_of_text(text, "2023-02-01") if isinstance(f, ProgramFact)]
    assert names == ["民营企业服务月", "就业帮扶专项行动"]


def test_a_quoted_place_and_worker_s_word_is_a_labour_brand_but_a_quoted_job_title_is_not():
    assert programs_in("“遵义车工”走进汽车工厂，“湄潭表嫂”走进千家万户。") == ["遵义车工", "湄潭表嫂"]
    assert programs_in("“甘蔗采收工”月薪过万。") == []


def test_a_quoted_name_right_after_a_brand_word_is_a_programme():
    assert programs_in("全县打造特色劳务品牌“山里巧媳妇”，带动妇女就业。") == ["山里巧媳妇"]


def test_an_ethnic_group_s_family_and_a_trade_is_a_labour_brand_unquoted():
    assert programs_in("全州培育苗家绣娘3000人。") == ["苗家绣娘"]


def test_a_quoted_instruction_from_a_policy_is_not_a_programme():
    assert programs_in("文件要求“打造一批叫得响的家政服务品牌”。") == []


def test_a_quoted_project_someone_funds_is_a_programme():
    assert programs_in("省里启动“高校毕业生返乡创业扶持项目”。") == ["高校毕业生返乡创业扶持项目"]


def test_a_short_place_name_and_a_trade_is_a_brand_but_a_full_name_and_a_job_before_a_person_is_not():
    assert programs_in("潜江裁缝走向全国，阳新鞋匠远近闻名。") == ["潜江裁缝", "阳新鞋匠"]
    assert programs_in("从江县电工王某获得一等奖。") == []
