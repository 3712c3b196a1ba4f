from jiwen.text.normalize import normalize_text, strip_pinyin_annotations


def test_traditional_characters_become_simplified():
    assert normalize_text("穩住外出務工基本盤") == "稳住外出务工基本盘"


def test_full_width_digits_and_latin_become_half_width_but_chinese_punctuation_stays():
    assert normalize_text("２０２３年ＧＤＰ增长５％，就业稳定。") == "2023年GDP增长5％，就业稳定。"


def test_whitespace_and_nbsp_runs_collapse_and_empty_lines_go():
    assert normalize_text("  全省\u00a0\u00a0就业　　形势\t稳定  \n\n\n  下一段 ") == "全省 就业 形势 稳定\n下一段"


def test_zero_width_and_icon_font_characters_are_removed():
    assert normalize_text("就\u200b业\ue60e服务") == "就业服务"


def test_normalizing_twice_changes_nothing():
    once = normalize_text("穩崗　ＡＢＣ\n\n就業")
    assert normalize_text(once) == once


def test_pinyin_readings_in_brackets_are_removed():
    assert strip_pinyin_annotations("穩(wěn)崗促就業(yè)") == "穩崗促就業"


def test_bracketed_names_and_acronyms_are_not_taken_for_readings():
    text = "及时帮助外出务工人员就业。(记者 韦倩) 增长(GDP)(app)"
    assert strip_pinyin_annotations(text) == text


def test_a_reading_orphaned_by_a_lost_character_is_removed():
    assert strip_pinyin_annotations("稳岗?fù)岗促就业") == "稳岗?岗促就业"
