"""Articles written for these tests, with hand-made facts (the extractors are tested elsewhere),
and real Whoosh indexes built from them in temporary folders."""

from __future__ import annotations

import itertools

import pytest

from jiwen.core.models import ArchivedArticle, CountFact, PlaceFact, ProgramFact
from jiwen.index import ArchiveIndex


def place(text: str, body: str, level: str, province: str | None, prefecture: str | None = None, name: str | None = None) -> PlaceFact:
    start = body.index(text)
    return PlaceFact(
        text=text, start=start, end=start + len(text), name=name or text, level=level, province=province, prefecture=prefecture
    )


def program(name: str, body: str) -> ProgramFact:
    start = body.index(name)
    return ProgramFact(text=name, start=start, end=start + len(name), name=name)


def count(text: str, body: str, value: float) -> CountFact:
    start = body.index(text)
    return CountFact(text=text, start=start, end=start + len(text), value=value, unit="人")


def _article(id, title, body, published, site, facts_of, relevant=True):
    return ArchivedArticle(
        id=id,
        url=f"https://{site}/{id}.html",
        title=title,
        body=body,
        published=published,
        site=site,
        relevant=relevant,
        facts=facts_of(body),
    )


GUIZHOU, QIANDONGNAN = "贵州省", "黔东南苗族侗族自治州"


def handmade_articles() -> list[ArchivedArticle]:
    return [
        _article(
            "congjiang-wengang",
            "从江县稳岗返还资金全部拨付到位",
            "从江县人社局近日完成稳岗返还资金拨付，全县312家企业受益，稳定就业岗位4800个。\n"
            "县人社局负责人说，今年还将开展春季招聘月活动，帮助高校毕业生在家门口就业。",
            "2024-03-15",
            "rst.guizhou.gov.cn",
            lambda b: [place("从江县", b, "county", GUIZHOU, QIANDONGNAN), program("稳岗返还", b), count("4800个", b, 4800)],
        ),
        _article(
            "kaili-yigong",
            "凯里市以工代赈项目吸纳群众务工",
            "凯里市今年实施以工代赈项目15个，吸纳当地群众务工2100人，发放劳务报酬860万元。",
            "2024-01-20",
            "rst.guizhou.gov.cn",
            lambda b: [place("凯里市", b, "county", GUIZHOU, QIANDONGNAN), program("以工代赈", b)],
        ),
        _article(
            "guiyang-chunfeng",
            "贵阳市春风行动专场招聘会举行",
            "贵阳市春风行动专场招聘会在筑城广场举行，200余家企业提供岗位1.2万个。",
            "2023-12-05",
            "news.example.cn",
            lambda b: [place("贵阳市", b, "prefecture", GUIZHOU), program("春风行动", b)],
        ),
        _article(
            "tianhe-biyesheng",
            "天河区推出高校毕业生就业见习岗位",
            "广州市天河区推出就业见习岗位3000个，高校毕业生见习期间可领取生活补贴。"
            "区人社局表示，高校毕业生就业工作是今年稳就业的重中之重。",
            "2024-03-02",
            "hrss.gd.gov.cn",
            lambda b: [place("天河区", b, "county", "广东省", "广州市")],
        ),
        _article(
            "huidong-wengang",
            "惠东县稳岗返还惠及中小企业",
            "惠东县向1200家中小企业发放稳岗返还资金，单位参保职工人数稳中有升。",
            "2024-02-29",
            "hrss.gd.gov.cn",
            lambda b: [place("惠东县", b, "county", "广东省", "惠州市"), program("稳岗返还", b)],
        ),
        _article(
            "chengdu-daikuan",
            "成都市创业担保贷款助力返乡创业",
            "成都市累计发放创业担保贷款5.6亿元，扶持返乡创业人员4300人，带动就业1.1万人。",
            None,
            "news.example.cn",
            lambda b: [place("成都市", b, "prefecture", "四川省"), program("创业担保贷款", b)],
        ),
        _article(
            "congjiang-dage",
            "从江县侗族大歌节开幕",
            "从江县侗族大歌节在小黄村开幕，游客跟着歌师学唱侗族大歌，体验侗族风情。",
            "2024-03-20",
            "news.example.cn",
            lambda b: [place("从江县", b, "county", GUIZHOU, QIANDONGNAN)],
            relevant=False,
        ),
        _article(
            "hangzhou-sanzhi",
            "杭州市三支一扶人员招募启动",
            "杭州市启动三支一扶计划人员招募，面向高校毕业生招募120名大学生到基层服务。",
            "2022-07-01",
            "hrss.zj.gov.cn",
            lambda b: [place("杭州市", b, "prefecture", "浙江省"), program("三支一扶", b)],
        ),
    ]


COUNTIES = (
    ("从江县", GUIZHOU, QIANDONGNAN),
    ("凯里市", GUIZHOU, QIANDONGNAN),
    ("惠东县", "广东省", "惠州市"),
    ("天河区", "广东省", "广州市"),
    ("郫都区", "四川省", "成都市"),
)
PROGRAMS = ("稳岗返还", "以工代赈", "春风行动", "创业担保贷款")
SITES = ("rst.guizhou.gov.cn", "hrss.gd.gov.cn", "news.example.cn")


def many_articles(total: int = 120) -> list[ArchivedArticle]:
    """Look-alike articles from a few templates: many tie on score, which is what pagination
    and rebuild tests need."""
    articles = []
    combos = itertools.product(COUNTIES, PROGRAMS, range(6))
    for number, ((county, province, prefecture), name, variant) in zip(range(total), combos):
        body = f"{county}落实{name}政策，帮助{100 + variant * 10}人实现就业。当地企业用工需求旺盛。"
        month = 1 + number % 12
        articles.append(
            ArchivedArticle(
                id=f"m{number:04d}",
                url=f"https://{SITES[number % 3]}/m{number}.html",
                title=f"{county}推进{name}",
                body=body,
                published=f"{2020 + number % 5}-{month:02d}-{1 + number % 27:02d}" if number % 10 else None,
                site=SITES[number % 3],
                relevant=number % 17 != 0,
                facts=[place(county, body, "county", province, prefecture), program(name, body)],
            )
        )
    return articles


@pytest.fixture
def articles() -> list[ArchivedArticle]:
    return handmade_articles()


@pytest.fixture
def index(tmp_path, articles) -> ArchiveIndex:
    archive_index = ArchiveIndex(tmp_path / "index")
    archive_index.add(articles)
    yield archive_index
    archive_index.close()


@pytest.fixture
def big_articles() -> list[ArchivedArticle]:
    return many_articles()


@pytest.fixture
def big_index(tmp_path, big_articles) -> ArchiveIndex:
    archive_index = ArchiveIndex(tmp_path / "big")
    archive_index.add(big_articles)
    yield archive_index
    archive_index.close()
