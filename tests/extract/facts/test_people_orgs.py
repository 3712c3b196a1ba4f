"""People (role words, bylines, later mentions) and organisations (place + organisation word)."""

from __future__ import annotations

from jiwen.core.models import OrgFact, PersonFact
from jiwen.extract.facts import facts_of_text


def people_in(text: str) -> list[tuple]:
    return [(f.text, f.role) for f in facts_of_text(text) if isinstance(f, PersonFact)]


def orgs_in(text: str) -> list[str]:
    return [f.name for f in facts_of_text(text) if isinstance(f, OrgFact)]


def test_a_name_after_a_role_word_is_a_person_and_so_are_its_later_mentions():
    text = "望谟籍外出务工人员韦发，2023年初到达惠州。回忆起这些，韦发心里充满感激。"
    assert people_in(text) == [("韦发", "外出务工人员"), ("韦发", "外出务工人员")]


def test_bylines_give_people_with_their_role():
    assert people_in("及时帮助外出务工人员就业。(记者 韦倩)") == [("韦倩", "记者")]
    assert people_in("本报讯（通讯员 张三丰 李四）近日") == [("张三丰", "通讯员"), ("李四", "通讯员")]


def test_words_that_start_with_a_surname_are_not_people():
    assert people_in("负责人高度重视，包吃包住，月工资6000多元。") == []


def test_an_organisation_is_a_place_or_level_word_followed_by_an_organisation_word():
    text = "剑河县人社局结合群众需求，省就业局相关负责人介绍，江西省人民政府新闻办公室举行发布会。"
    assert orgs_in(text) == ["剑河县人社局", "省就业局", "江西省人民政府新闻办公室"]


def test_the_innermost_place_opens_a_company_name():
    assert orgs_in("如今他在惠州市惠东县华江鞋业厂上班。") == ["惠东县华江鞋业厂"]


def test_a_generic_department_or_an_unnamed_factory_is_not_an_organisation():
    assert orgs_in("两地人社部门付出很多，他在天津一家服装厂工作。") == []


def test_a_speaker_after_a_word_ending_like_a_role_is_a_person():
    assert people_in("“在家门口上班真好。”女工李秀兰说。赴吉隆坡务工的电工张强表示满意。") == [("李秀兰", None), ("张强", None)]


def test_dictionary_words_after_a_role_ending_are_not_names():
    assert people_in("全省农村劳动力一千五百万人左右，北京师范大学教授说，问题严重。") == []
