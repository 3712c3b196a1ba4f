import codecs

import pytest

from jiwen.core.errors import ExtractionError
from jiwen.extract.article import extract_article
from jiwen.extract.article.encoding import canonical_codec, declared_charset, decode_bytes
from tests.conftest import invoke_jiwen


def test_gbk_page_is_decoded_as_gb18030(page_bytes):
    decoded = decode_bytes(page_bytes("gbk-recruitment.html"))
    assert decoded.encoding == "gb18030"
    assert "黔南州举办春季招聘月活动" in decoded.text
    assert decoded.warnings == []


def test_gbk_page_becomes_a_clean_article(page_bytes):
    article = extract_article(page_bytes("gbk-recruitment.html"))
    assert article.title == "黔南州举办春季招聘月活动 提供岗位一万二千个"
    assert article.encoding == "gb18030"
    assert "提供就业岗位12000余个" in article.body


def test_big5_page_is_decoded_and_simplified(page_bytes):
    article = extract_article(page_bytes("big5-career-advice.html"))
    assert article.encoding == "big5hkscs"
    assert article.title == "台中就业服务站推出青年职涯咨询"
    assert "一对一的职涯咨询服务" in article.body
    assert article.warnings == []


def test_meta_charset_that_lies_is_overruled_by_valid_utf8(page_bytes):
    data = page_bytes("lying-charset.html")
    assert declared_charset(data) == "gb2312"
    article = extract_article(data)
    assert article.encoding == "utf-8"
    assert article.title == "遵义市开展返乡创业培训"
    assert "湄潭县举办返乡创业培训班" in article.body


def test_pages_that_declare_no_charset_are_read_as_gbk_or_big5_by_what_reads_like_chinese(page_bytes):
    gbk = page_bytes("gbk-recruitment.html").decode("gb18030").replace("; charset=gb2312", "")
    big5 = page_bytes("big5-career-advice.html").decode("big5hkscs").replace('<meta charset="big5">', "")
    gbk_decoded = decode_bytes(gbk.encode("gb18030"))
    big5_decoded = decode_bytes(big5.encode("big5hkscs"))
    assert (gbk_decoded.encoding, big5_decoded.encoding) == ("gb18030", "big5hkscs")
    assert "黔南州举办春季招聘月活动" in gbk_decoded.text
    assert "臺中就業服務站推出青年職涯諮詢" in big5_decoded.text


def test_an_xml_declaration_declares_the_charset():
    data = b"<?xml version='1.0' encoding='gbk'?><html><body><p>" + "全省就业形势稳定。".encode("gbk") * 5 + b"</p></body></html>"
    assert declared_charset(data) == "gbk"
    assert decode_bytes(data).encoding == "gb18030"


def test_http_header_charset_wins_over_meta():
    page = '<html><head><meta charset="big5"></head><body><p>就业</p></body></html>'
    assert declared_charset(page.encode("gbk"), "text/html; charset=GBK") == "gbk"


def test_gbk_bytes_declared_as_utf8_are_detected_with_a_warning(page_bytes):
    text = page_bytes("gbk-recruitment.html").decode("gb18030").replace("charset=gb2312", "charset=utf-8")
    decoded = decode_bytes(text.encode("gb18030"))
    assert decoded.encoding == "gb18030"
    assert "黔南州举办春季招聘月活动" in decoded.text
    assert any("utf-8" in warning for warning in decoded.warnings)


def test_utf8_with_stray_bytes_is_read_but_flagged():
    data = "<html><body><p>全省城镇新增就业人数稳步增长，就业形势总体稳定。</p></body></html>".encode()
    damaged = data[:40] + b"\xff" + data[40:]
    decoded = decode_bytes(damaged)
    assert decoded.encoding == "utf-8"
    assert "就业形势总体稳定" in decoded.text
    assert any("doubtful decoding" in warning for warning in decoded.warnings)


def test_byte_order_mark_decides_the_encoding():
    data = codecs.BOM_UTF8 + "<p>就业</p>".encode()
    assert decode_bytes(data).encoding == "utf-8"


def test_gb2312_and_gbk_labels_map_to_gb18030_and_big5_to_hkscs():
    assert canonical_codec("GB2312") == "gb18030"
    assert canonical_codec("gbk") == "gb18030"
    assert canonical_codec("big5") == "big5hkscs"
    assert canonical_codec("no-such-charset") is None


def test_binary_input_is_refused_with_one_line():
    with pytest.raises(ExtractionError) as raised:
        extract_article(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "\n" not in str(raised.value)
    assert "binary" in str(raised.value)


def test_empty_input_is_refused_with_one_line():
    for empty in (b"", b"   \n\t ", ""):
        with pytest.raises(ExtractionError) as raised:
            extract_article(empty)
        assert "\n" not in str(raised.value)
        assert "empty" in str(raised.value)


def test_a_few_stray_nul_bytes_do_not_make_a_page_binary(page_bytes, tmp_path):
    data = page_bytes("gbk-recruitment.html")
    path = tmp_path / "nul.html"
    path.write_bytes(data[:200] + b"\x00" + data[200:400] + b"\x00\x00" + data[400:])
    result = invoke_jiwen("extract", str(path), "--no-facts")
    assert result.returncode == 0, result.stderr
    assert "黔南州举办春季招聘月活动" in result.stdout and "\\u0000" not in result.stdout


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read_when_the_bytes_say_so(page_bytes, tmp_path, codec):
    text = decode_bytes(page_bytes("gbk-recruitment.html")).text
    path = tmp_path / "utf16.html"
    path.write_bytes(text.encode(codec))  # no BOM: Python's utf-16-le/-be codecs write none
    result = invoke_jiwen("extract", str(path), "--no-facts")
    assert result.returncode == 0, result.stderr
    assert "黔南州举办春季招聘月活动 提供岗位一万二千个" in result.stdout


def test_images_and_random_bytes_are_still_binary():
    import os

    for data in (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, os.urandom(8192), b"PK\x03\x04" + bytes(2000)):
        with pytest.raises(ExtractionError, match="binary"):
            decode_bytes(data)
