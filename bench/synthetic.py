"""Synthetic-but-realistic archived articles for the benchmarks (search speed, export).

How the articles are made, so the numbers mean something:
- places: provinces, prefectures and counties from jionlp's gazetteer data file
  (site-packages/jionlp/dictionary/china_location.txt: one division a line, depth by leading tabs,
  name, adcode, short name); each article is about one county, sometimes a second one elsewhere;
- programmes: a fixed list of real employment programme names (稳岗返还, 以工代赈, ...);
- numbers: people, yuan, percentages and dates drawn at random and written the way the news
  writes them (1.2万人, 3500万元, 12.5%, 2024年3月);
- text: ~40 sentence templates about employment work, filled with the above, shuffled and
  repeated until the body reaches ~5.5 KB of UTF-8 (~1,800 characters) in paragraphs;
- facts: the generator knows what it inserted where, so it emits PlaceFact / ProgramFact /
  CountFact / MoneyFact / PercentFact / DateFact with exact offsets, at no extraction cost.
The same seed gives the same articles.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from jiwen.core.models import (
    ArchivedArticle,
    CountFact,
    DateFact,
    Fact,
    MoneyFact,
    PercentFact,
    PlaceFact,
    ProgramFact,
)
from jiwen.text.jionlp_data import read_data_file

PROGRAMS = (
    "稳岗返还",
    "以工代赈",
    "春风行动",
    "三支一扶",
    "就业见习计划",
    "创业担保贷款",
    "东西部劳务协作",
    "职业技能提升行动",
    "高校毕业生就业促进计划",
    "农民工返乡创业",
    "公益性岗位开发",
    "百日千万招聘专项行动",
    "技能中国行动",
    "零工市场建设",
)
SITES = (
    "hrss.gd.gov.cn",
    "rst.guizhou.gov.cn",
    "rsj.sh.gov.cn",
    "hrss.zj.gov.cn",
    "rst.sc.gov.cn",
    "hrss.hunan.gov.cn",
    "rst.henan.gov.cn",
    "hrss.yn.gov.cn",
    "news.example.cn",
    "job.example.com.cn",
)
TITLE_TEMPLATES = (
    "{county}扎实推进{program}",
    "{province}{program}取得新成效",
    "{county}举办{program}专场招聘会",
    "{prefecture}多措并举稳就业促增收",
    "{county}落实{program}政策惠及{count}",
    "{province}发布{program}实施方案",
    "{prefecture}高校毕业生就业工作综述",
    "{county}开展农村劳动力转移就业培训",
)
SENTENCES = (
    "{county}人力资源和社会保障局深入实施{program}，全年累计帮助{count}实现就业。",
    "截至{date}，{prefecture}已发放{program}资金{money}，惠及企业和职工。",
    "{county}城镇新增就业{count}，城镇调查失业率控制在{percent}以内。",
    "今年以来，{province}把稳就业摆在更加突出的位置，{program}覆盖面进一步扩大。",
    "{county}组织开展专场招聘会12场，提供岗位{count}，现场达成就业意向的占{percent}。",
    "为帮助高校毕业生尽快就业，{prefecture}推出见习岗位{count}，补贴标准提高到每人每月{money}。",
    "{county}持续推进{program}，农村劳动力转移就业{count}，人均增收{money}。",
    "{date}，{province}召开全省就业工作电视电话会议，部署{program}重点任务。",
    "据统计，{prefecture}脱贫人口务工规模达到{count}，同比增长{percent}。",
    "{county}依托零工市场和就业服务站，为灵活就业人员提供政策咨询和岗位推荐服务。",
    "在{county}的扶贫车间里，工人们正在忙着赶制订单，车间负责人介绍今年订单量增长了{percent}。",
    "{prefecture}创业担保贷款累计发放{money}，扶持{count}自主创业，带动就业效果明显。",
    "下一步，{county}将继续落实{program}各项政策，确保就业局势总体稳定。",
    "{province}人社厅有关负责人表示，将加大职业技能培训力度，全年培训{count}。",
    "{county}坚持就业优先，把{program}作为保障和改善民生的头等大事来抓。",
    "针对企业用工难题，{prefecture}建立重点企业用工服务专员制度，{date}以来帮助企业招工{count}。",
    "{county}开发公益性岗位{count}，优先安置就业困难人员和零就业家庭成员。",
    "通过{program}，{county}累计为中小微企业减负{money}，稳定就业岗位{count}。",
    "返乡创业人员李师傅说，政府的贴息贷款帮了大忙，今年合作社的收入增长了{percent}。",
    "{prefecture}职业院校毕业生就业率达到{percent}，较上年提高两个百分点。",
    "{county}与东部地区签订劳务协作协议，{date}前有组织输出务工人员{count}。",
    "各级人社部门要压实责任，细化措施，推动{program}落地见效。",
    "{province}城镇新增就业{count}，完成年度目标任务的{percent}。",
    "{county}把技能培训送到田间地头，开设电工、焊工、家政服务等培训班。",
    "{prefecture}发放一次性扩岗补助{money}，支持企业吸纳高校毕业生{count}。",
    "会议指出，{program}事关群众切身利益，要以更大力度抓好落实。",
    "{county}搭建线上招聘平台，发布岗位信息{count}，点击量超过{count}。",
    "据介绍，{prefecture}{date}共帮扶就业困难人员{count}，发放社保补贴{money}。",
    "在{program}的带动下，{county}劳务品牌建设取得积极进展。",
    "{province}出台支持多渠道灵活就业的若干措施，进一步降低就业门槛。",
)


@dataclass(frozen=True)
class County:
    name: str
    prefecture: str
    province: str


@lru_cache(maxsize=1)
def counties() -> tuple[County, ...]:
    found: list[County] = []
    province = prefecture = ""
    # Read without importing jionlp (its import loads models and prints banners).
    with io.StringIO(read_data_file("china_location.txt").decode("utf-8")) as lines:
        for line in lines:
            depth = len(line) - len(line.lstrip("\t"))
            if depth > 2:
                continue
            name = line.strip().split("\t")[0]
            if depth == 0:
                province = name
            elif depth == 1:
                prefecture = name
            elif name != "市辖区":
                found.append(County(name, prefecture, province))
    return tuple(found)


def _count(rng: random.Random) -> tuple[str, float]:
    value = rng.choice((rng.randint(120, 9800), round(rng.uniform(1.1, 98.5), 1) * 10000))
    text = f"{value / 10000:g}万人" if value >= 10000 else f"{int(value)}人"
    return text, value


def _money(rng: random.Random) -> tuple[str, float]:
    if rng.random() < 0.3:
        value = rng.randint(300, 3000)
        return f"{value}元", value
    value = round(rng.uniform(1, 9000), 1)
    return f"{value:g}万元", value * 10000


def _date(rng: random.Random, year: int) -> tuple[str, str]:
    month = rng.randint(1, 12)
    if rng.random() < 0.5:
        return f"{year}年{month}月", f"{year}-{month:02d}"
    day = rng.randint(1, 28)
    return f"{year}年{month}月{day}日", f"{year}-{month:02d}-{day:02d}"


PLACEHOLDER = re.compile(r"\{(county|prefecture|province|program|count|money|percent|date)\}")


class _Writer:
    """Appends filled templates to a body and records a fact for each filled placeholder."""

    def __init__(self, rng: random.Random, year: int) -> None:
        self.rng = rng
        self.year = year
        self.parts: list[str] = []
        self.length = 0
        self.facts: list[Fact] = []

    def fill(self, template: str, county: County, program: str, record: bool = True) -> str:
        out: list[str] = []
        position = 0
        for match in PLACEHOLDER.finditer(template):
            out.append(template[position : match.start()])
            start = self.length + sum(map(len, out))
            text, fact = self._value(match.group(1), county, program, start)
            out.append(text)
            if record and fact is not None:
                self.facts.append(fact)
            position = match.end()
        out.append(template[position:])
        return "".join(out)

    def _value(self, slot: str, county: County, program: str, start: int) -> tuple[str, Fact]:
        def end(text):
            return start + len(text)

        if slot == "county":
            text = county.name
            return text, PlaceFact(
                text=text, start=start, end=end(text), name=text, level="county", province=county.province, prefecture=county.prefecture
            )
        if slot == "prefecture":
            text = county.prefecture
            return text, PlaceFact(text=text, start=start, end=end(text), name=text, level="prefecture", province=county.province)
        if slot == "province":
            text = county.province
            return text, PlaceFact(text=text, start=start, end=end(text), name=text, level="province", province=text)
        if slot == "program":
            return program, ProgramFact(text=program, start=start, end=end(program), name=program)
        if slot == "count":
            text, value = _count(self.rng)
            return text, CountFact(text=text, start=start, end=end(text), value=value, unit="人")
        if slot == "money":
            text, value = _money(self.rng)
            return text, MoneyFact(text=text, start=start, end=end(text), value=value)
        if slot == "percent":
            value = round(self.rng.uniform(0.5, 99.5), 1)
            text = f"{value:g}%"
            return text, PercentFact(text=text, start=start, end=end(text), value=value)
        text, iso = _date(self.rng, self.year)
        granularity = "day" if iso.count("-") == 2 else "month"
        return text, DateFact(text=text, start=start, end=end(text), date=iso, granularity=granularity)

    def append(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)


def generate_article(number: int, seed: int = 42, body_bytes: int = 5500) -> ArchivedArticle:
    rng = random.Random(seed * 1_000_003 + number)
    places = counties()
    county = rng.choice(places)
    other = rng.choice(places)
    programs = rng.sample(PROGRAMS, 2)
    year = rng.randint(2019, 2025)
    published = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    writer = _Writer(rng, year)
    title = writer.fill(rng.choice(TITLE_TEMPLATES), county, programs[0], record=False)
    size = 0
    while size < body_bytes:
        paragraph = []
        for _ in range(rng.randint(3, 6)):
            subject = other if rng.random() < 0.1 else county
            program = programs[0] if rng.random() < 0.7 else programs[1]
            sentence = writer.fill(rng.choice(SENTENCES), subject, program)
            writer.append(sentence)
            paragraph.append(sentence)
            size += len(sentence.encode("utf-8"))
        writer.append("\n")
    body = "".join(writer.parts).rstrip("\n")
    facts = [fact for fact in writer.facts if fact.end <= len(body)]
    return ArchivedArticle(
        id=f"a{number:07d}",
        url=f"https://{SITES[number % len(SITES)]}/art/{year}/{number}.html",
        title=title,
        published=published,
        site=SITES[number % len(SITES)],
        relevant=rng.random() >= 0.05,
        body=body,
        facts=facts,
    )


def generate_articles(count: int, seed: int = 42, start: int = 0) -> Iterator[ArchivedArticle]:
    for number in range(start, start + count):
        yield generate_article(number, seed)
