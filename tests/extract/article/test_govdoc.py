"""政府信息公开 pages (extract/article/govdoc.py through extract_article): the metadata table
before the headline gives doc_number, issuer and the dates; the agency above the headline never
becomes the title; long headlines with 《…》 stay whole; a first paragraph opening with
为落实《…》/根据《…》 is kept. Fixture pages written for these tests."""

from __future__ import annotations

from jiwen.extract import extract_article
from jiwen.extract.article.govdoc import read_document_table
from jiwen.extract.article.html import parse_html

NOTICE_URL = "http://rst.example.gov.cn/xxgk/zcwj/202403/t20240312_123.html"
AGENCY_URL = "http://rsj.example.gov.cn/zwgk/202311/t20231106_456.html"


def test_a_document_table_gives_title_date_doc_number_and_issuer(page_bytes):
    article = extract_article(page_bytes("xxgk-document.html"), url=NOTICE_URL)
    assert article.title == "测试省人力资源和社会保障厅 测试省财政厅关于印发《测试省就业补助资金管理办法》的通知"
    assert article.published == "2024-03-12"  # 发布日期, not the 成文日期 printed before it
    assert article.doc_number == "测人社发〔2024〕12号"
    assert article.issuer == "测试省人力资源和社会保障厅"


def test_a_first_paragraph_opening_with_wei_luoshi_is_kept_and_the_table_is_not_body(page_bytes):
    article = extract_article(page_bytes("xxgk-document.html"), url=NOTICE_URL)
    assert "为落实《就业补助资金管理办法》和省委、省政府关于稳就业的决策部署" in article.body
    assert "索引号" not in article.body and "11520000MB1234567X" not in article.body


def test_the_agency_printed_above_the_headline_does_not_become_the_title(page_bytes):
    article = extract_article(page_bytes("xxgk-agency-above-title.html"), url=AGENCY_URL)
    assert article.title == "关于做好《测试市2023年度高校毕业生“三支一扶”计划》招募工作的通知（第二批补充招募岗位及报名事项）"
    assert article.published == "2023-11-06T16:20+08:00"  # its 发布时间 with the time of day, not the 发文日期
    assert article.doc_number == "测市人社通〔2023〕45号"
    assert article.issuer == "测试市人力资源和社会保障局"
    assert article.body.startswith("根据《关于做好2023年高校毕业生“三支一扶”计划招募工作的通知》要求")


def test_labels_in_list_items_with_spaced_labels_are_read(page_bytes):
    document = read_document_table(parse_html(page_bytes("xxgk-agency-above-title.html").decode("utf-8")))
    assert document is not None
    assert document.index_number == "11520100MB7654321Y/2023-00456"
    assert document.written == "2023-11-02" and document.published == "2023-11-06"  # 发布时间 below the table
    assert document.topic == "就业创业"


def test_an_ordinary_news_page_has_no_document_metadata(page_bytes):
    article = extract_article(page_bytes("gbk-recruitment.html"), url="http://hrss.example.gov.cn/news/202311/t20231108_1.html")
    assert article.doc_number is None and article.issuer is None
    html = "<html><body><p>来源：测试日报</p><p>发布时间：2024-01-02</p><p>正文。</p></body></html>"
    assert read_document_table(parse_html(html)) is None  # two labels do not make a table
