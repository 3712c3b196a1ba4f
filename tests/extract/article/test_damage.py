import pytest

from jiwen.extract.article import charfreq
from jiwen.extract.article.damage import repair_damaged_runs

pytestmark = pytest.mark.skipif(not charfreq.available(), reason="jionlp's character distribution is not installed")


def _lose_one_byte(text: str, at: int) -> str:
    """What a reader makes of GBK text that lost the byte at `at`: shifted pairs, a '?' for the
    pair it cannot map."""
    data = text.encode("gbk")
    return (data[:at] + data[at + 1 :]).decode("gbk", errors="replace").replace("\ufffd", "?")


def test_a_run_read_one_byte_out_of_step_is_realigned():
    damaged = "稳岗?fù)" + "貚彺倬蜆I" + "(yè)"
    report = repair_damaged_runs(damaged)
    assert report.text == "稳岗?fù)崗促就業(yè)"
    assert report.repaired == [("貚彺倬蜆I", "崗促就業")]
    assert report.unrepaired == []


def test_damage_made_by_dropping_a_byte_from_composed_text_is_repaired():
    original = "全省就业形势总体稳定，外出务工人员稳岗就业。"
    damaged = _lose_one_byte(original, 9)
    assert damaged != original
    report = repair_damaged_runs(damaged)
    assert report.repaired, f"no repair found in {damaged!r}"
    # Everything after the lost character reads again; only the character whose byte was lost is gone.
    assert "全省就业" in report.text and "总体稳" in report.text
    assert not any(charfreq.is_rare(character) for character in report.text)


def test_ordinary_text_with_rare_names_is_left_alone():
    text = "黔东南州从江县点对点组织输送626名农村劳动力，记者韦倩报道？"
    report = repair_damaged_runs(text)
    assert report.text == text
    assert report.repaired == [] and report.unrepaired == []


def test_a_run_that_no_realignment_explains_is_reported_not_changed():
    text = "就业?龘靐齉爩麤"
    report = repair_damaged_runs(text)
    assert report.text == text
    assert report.unrepaired == ["龘靐齉爩麤"]
