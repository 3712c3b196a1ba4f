"""Places: the gazetteer from JioNLP's data, short forms, nesting, shared names, regions,
provincial abbreviations in context, foreign places, and ordinary words kept out."""

from __future__ import annotations

from jiwen.core.models import PlaceFact
from jiwen.extract.facts import facts_of_text
from jiwen.text.gazetteer import gazetteer


def places_in(text: str) -> list[PlaceFact]:
    return [f for f in facts_of_text(text) if isinstance(f, PlaceFact)]


def by_text(text: str) -> dict[str, PlaceFact]:
    return {f.text: f for f in places_in(text)}


def test_the_gazetteer_comes_from_jionlp_with_adcodes_for_three_levels():
    table = gazetteer()
    (prefecture,) = table.by_form["黔东南苗族侗族自治州"]
    assert (prefecture.adcode, prefecture.province, prefecture.level) == ("522600", "贵州省", "prefecture")
    levels = {place.level for places in table.by_form.values() for place in places}
    assert {"province", "prefecture", "county", "region", "foreign"} <= levels
    assert sum(1 for places in table.by_form.values() for p in places if p.level == "county") > 2800


def test_news_short_forms_resolve_to_full_names():
    found = by_text("黔东南州从江县、黔南等地和望谟籍务工人员。")
    assert found["黔东南州"].name == "黔东南苗族侗族自治州"
    assert found["黔南"].name == "黔南布依族苗族自治州"
    assert (found["望谟"].name, found["望谟"].level) == ("望谟县", "county")


def test_a_county_carries_its_prefecture_and_province():
    found = by_text("如今他在惠州市惠东县华江鞋业厂上班。")
    county = found["惠东县"]
    assert (county.prefecture, county.province, county.adcode) == ("惠州市", "广东省", "441323")
    assert found["惠州市"].level == "prefecture"


def test_a_name_shared_by_several_counties_is_resolved_by_the_article():
    found = places_in("开封市鼓楼区举办招聘会。鼓楼区人社局介绍了情况。")
    gulou = [f for f in found if f.name == "鼓楼区"]
    assert len(gulou) == 2
    assert all((f.prefecture, f.province) == ("开封市", "河南省") for f in gulou)
    found = places_in("福州市举办招聘会，鼓楼区提供岗位。")
    assert [f.prefecture for f in found if f.name == "鼓楼区"] == ["福州市"]


def test_region_words_are_regions():
    found = by_text("每年11月，两广地区甘蔗采收工需求量大。")
    assert found["两广"].level == "region"


def test_one_character_abbreviations_count_only_in_context():
    found = places_in("黔籍务工人员赴粤务工，推动粤黔协作。")
    assert [(f.text, f.name) for f in found] == [("黔", "贵州省"), ("粤", "广东省"), ("粤", "广东省"), ("黔", "贵州省")]
    assert places_in("组织实施“黔菜师傅”培训，开展新一轮培训。") == []


def test_foreign_places_are_foreign():
    found = by_text("赴日本大阪、沙特阿拉伯和新加坡等国务工。")
    assert {(text, f.level) for text, f in found.items()} == {
        ("日本", "foreign"),
        ("大阪", "foreign"),
        ("沙特阿拉伯", "foreign"),
        ("新加坡", "foreign"),
    }
    assert found["沙特阿拉伯"].name == "沙特"


def test_ordinary_words_that_are_also_short_names_are_not_places():
    assert places_in("他为人大方，和平相处，通道畅通，东方日出。") == []


def test_a_place_inside_a_longer_dictionary_word_is_found():
    found = by_text("江西省人民政府新闻办公室举行发布会。")
    assert found["江西省"].level == "province"


def test_a_foreign_city_is_chosen_when_the_article_names_its_country():
    found = places_in("越南经济发展迅速，西贡的工厂招收了不少工人。")
    assert [(f.text, f.level) for f in found] == [("越南", "foreign"), ("西贡", "foreign")]


def test_the_gazetteer_reads_jionlps_zipped_data_when_the_text_file_is_absent(tmp_path, monkeypatch):
    import shutil
    import zipfile

    from jiwen.text import jionlp_data

    real = jionlp_data.dictionary_dir()
    zipped = tmp_path / "dictionary"
    zipped.mkdir()
    with zipfile.ZipFile(zipped / "china_location.zip", "w") as archive:
        archive.writestr("china_location.txt", jionlp_data.read_data_file("china_location.txt"))
    shutil.copy(real / "world_location.txt", zipped / "world_location.txt")
    monkeypatch.setattr(jionlp_data, "dictionary_dir", lambda: zipped)
    assert "黔东南苗族侗族自治州".encode() in jionlp_data.read_data_file("china_location.txt")


def test_we_and_this_province_city_county_mean_the_place_the_article_names_most():
    found = places_in("黔东南州从江县：我州今年组织输出5000人，我县完成全年任务，我省累计输出劳动力。赴广东务工人员增多。")
    own = {f.text: (f.name, f.level) for f in found if f.text.startswith("我")}
    assert own == {"我州": ("黔东南苗族侗族自治州", "prefecture"), "我县": ("从江县", "county"), "我省": ("贵州省", "province")}
    assert [f.name for f in places_in("惠州市惠东县举办招聘会，本市今年新增就业3万人。") if f.text == "本市"] == ["惠州市"]


def test_we_or_whole_province_alone_are_not_places():
    assert places_in("我省今年新增城镇就业。") == []  # no place named: nothing to resolve it to
    assert [f.text for f in places_in("贵州省全省各级人社部门举办招聘会。")] == ["贵州省"]


def test_a_township_right_after_its_county_or_in_a_list_of_townships_is_a_place():
    from jiwen.core.models import PlaceFact
    from jiwen.extract.facts import facts_of_text

    text = "定南县老城镇的招聘点已开放，下周将延伸到天九镇、鹅公镇，覆盖全县各乡镇。"
    townships = [(f.name, f.province) for f in facts_of_text(text) if isinstance(f, PlaceFact) and f.level == "township"]
    assert townships == [("老城镇", "江西省"), ("天九镇", "江西省"), ("鹅公镇", "江西省")]


def test_an_ordinary_phrase_that_shares_a_county_s_short_name_is_not_that_county():
    assert places_in("县里把技能培训列为今年的惠民实事。") == []
    assert [p.name for p in places_in("山东省惠民县组织务工人员返岗。") if p.level == "county"] == ["惠民县"]


def test_a_city_s_short_name_jieba_lists_as_a_common_word_is_still_the_city():
    assert [(p.text, p.name) for p in places_in("务工人员来自大理、合肥和大连。")] == [
        ("大理", "大理白族自治州"),
        ("合肥", "合肥市"),
        ("大连", "大连市"),
    ]
    assert places_in("大厅铺着大理石地面。") == []
