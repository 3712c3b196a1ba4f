"""The web pages' words in Chinese (the default: jiwen's readers read Chinese news) or English
(`?lang=en`, or a browser whose Accept-Language puts English before Chinese).

The templates write their words in English through `t("...")`; this table gives the Chinese.
A word missing from the table shows in English. The language of a request travels in a context
variable set by `LanguageMiddleware`, so the handlers need not pass it to every template.
"""

from __future__ import annotations

import contextvars
from urllib.parse import parse_qs

LANGUAGES = ("zh", "en")
_LANGUAGE: contextvars.ContextVar[str] = contextvars.ContextVar("jiwen_language", default="zh")

CHINESE = {
    "Search": "搜索",
    "Facts": "数字",
    "Trends": "趋势",
    "Sites": "站点",
    "sort": "排序",
    "relevance": "相关度",
    "date": "日期",
    "from": "从",
    "to": "到",
    "Apply dates": "应用日期",
    "Filters:": "筛选：",
    "remove this filter": "去掉这个筛选",
    "province": "省份",
    "place": "地点",
    "program": "项目",
    "site": "站点",
    "month": "月份",
    "kind": "类型",
    "measure": "指标",
    "role": "性质",
    "year": "年份",
    "period": "时期",
    "mentioning": "提到的地点",
    "no articles found": "没有找到文章",
    "{n} articles; showing {first}–{last}": "共 {n} 篇文章，显示第 {first}–{last} 篇",
    "{n} off-topic articles hidden": "已隐藏 {n} 篇无关文章",
    "show them": "显示",
    "off-topic articles included": "已包括无关文章",
    "hide them": "隐藏",
    "(untitled)": "（无标题）",
    "undated": "无日期",
    "previous": "上一页",
    "next": "下一页",
    "page {page} of {last}": "第 {page} 页，共 {last} 页",
    "Download": "下载",
    "Bad request": "请求有误",
    "Not found": "未找到",
    "Back to the search": "返回搜索",
    "read-only view of the archive": "档案的只读视图",
    "JSON API": "JSON 接口",
    'words, "a phrase", AND / OR / NOT, field:value': '词语、"短语"、AND / OR / NOT、字段:值',
    "Every figure of the archive": "档案中的所有数字",
    "{n} figures; showing {first}–{last}": "共 {n} 个数字，显示第 {first}–{last} 个",
    "no figures found": "没有找到数字",
    "figure": "数字",
    "value": "数值",
    "unit": "单位",
    "published": "发布",
    "article": "文章",
    "in its sentence": "原句",
    "Show": "显示",
    "all": "全部",
    "local": "本地文件",
    "2024 or 2024-03": "2024 或 2024-03",
    # Figure kinds and roles, as /facts, /trends and the article page show them (their English
    # names stay the values of the URLs' parameters).
    "count": "数量",
    "money": "金额",
    "percent": "百分比",
    "org": "机构",
    "person": "人物",
    "COUNT": "数量",
    "MONEY": "金额",
    "PERCENT": "百分比",
    "PLACE": "地点",
    "PROGRAM": "项目",
    "DATE": "日期",
    "ORG": "机构",
    "PERSON": "人物",
    "actual": "实际",
    "target": "目标",
    "allocation": "安排",
    "standard": "标准",
    "change": "变化",
    "other": "其他",
    "quarter": "季度",
    # /trends
    "indicator": "指标",
    "by": "按",
    "This archive has no figure with a measure (an indicator name) yet. Measures come from extraction; after upgrading jiwen, run {command}.": (
        "本档案还没有带指标名称的数字。指标来自抽取；升级 jiwen 后请运行 {command}。"
    ),
    "{measure} in {place} and the places inside it": "{measure}，{place}及其下辖地区",
    "by {by}, figures of role": "按{by}，只取性质为",
    "only (results unless you choose another: a plan is never plotted as a result).": "的数字（默认为实际结果：计划数从不画作结果）。",
    "A figure belongs to the period of its period end, else to its article's publication date; each point is the": (
        "一个数字归入其时期的截止日所在时期，没有时期则归入文章发布日期；每个点是该地该时期"
    ),
    "latest figure reported": "最新报道的数字",
    "for that place in that period (figures are never summed: most are cumulative, and articles repeat them).": (
        "（数字从不相加：多数是累计数，而且文章会重复报道）。"
    ),
    "{n} undated figures left out.": "{n} 个无日期的数字未计入。",
    "chart of {measure}": "{measure}的图表",
    "Download CSV": "下载 CSV",
    "reports": "报道次数",
    "sources": "来源数",
    "period end": "时期截止",
    "(not stated)": "（未注明）",
    "conflict": "冲突",
    "other values reported for this place and period": "该地该时期报道过的其他数值",
    "no figures of this indicator": "这个指标没有数字",
    "no figures of this indicator for this place": "这个指标在该地没有数字",
    "Indicators in this archive": "本档案中的指标",
    "(by {by})": "（按{by}）",
    " (+{n} places not drawn)": "（另有 {n} 个地点未画出）",
    "(place not stated)": "（未注明地点）",
    "no figures": "没有数字",
    # /sites
    "interval": "间隔",
    "articles": "文章",
    "runs": "运行",
    "last run (UTC)": "最近运行（UTC）",
    "outcome": "结果",
    "last report": "最近报告",
    "new, 30 days": "30 天新增",
    "last new article": "最近新文章",
    "blocked · not found": "被拦截 · 未找到",
    "next run (UTC)": "下次运行（UTC）",
    "health": "状态",
    "(disabled)": "（已停用）",
    "never": "从未",
    "not crawled yet": "尚未抓取",
    "stale": "停滞",
    "ok": "正常",
    "Run history": "运行记录",
    "started (UTC)": "开始（UTC）",
    "finished": "完成",
    "report": "报告",
    "no runs yet": "尚无运行记录",
    "crawl": "抓取",
    "reextract": "重新抽取",
    "ingest": "导入",
    "reindex": "重建索引",
    "interrupted": "中断",
    "blocked": "被拦截",
    "failed": "失败",
    "killed": "被终止",
    "running": "运行中",
    "new": "新增",
    "updated": "更新",
    "offtopic": "无关",
    "robots_disallowed": "robots 禁止",
    "pages_fetched": "抓取页面",
    "unchanged": "未变",
    "duplicate": "重复",
    "elapsed_seconds": "用时（秒）",
    "not_found": "未找到",
    # The article page and its facts
    "source": "来源",
    "author": "作者",
    "original": "原文",
    "archived page": "存档页面",
    "as text": "文本",
    "in a sandboxed frame": "在沙箱框架中",
    "off-topic": "无关",
    "copy of": "复制自",
    "Near-duplicate copies ({n})": "近似重复的副本（{n}）",
    "What extraction discarded ({n})": "抽取时舍弃的内容（{n}）",
    "why": "原因",
    "text": "文本",
    "Warnings": "警告",
    "show or hide": "显示或隐藏",
    "Facts ({n})": "事实（{n}）",
    "offsets": "位置",
    "fields": "字段",
    "credit": "署名",
    "footer": "页脚",
    "share": "分享",
    "sidebar": "侧栏",
    "navigation": "导航",
    "title": "标题",
    "byline": "作者行",
    "after-credits": "署名之后",
    # A fact's fields (the names of the export's columns)
    "name": "名称",
    "level": "级别",
    "prefecture": "地市",
    "country": "国家",
    "place_adcode": "区划代码",
    "subject": "对象",
    "qualifier": "限定词",
    "value_end": "数值上限",
    "currency": "币种",
    "period_start": "时期起",
    "period_end": "时期止",
    "granularity": "粒度",
    "adcode": "区划代码",
    "date_end": "截止日期",
    "any": "任意",
    "county": "县区",
    "township": "乡镇级",
    "region": "地区",
    "foreign": "外国",
    "season": "季节",
    "relative": "相对",
    "recurring": "周期",
    "day": "日",
    "exact": "确数",
    "about": "约数",
    "more_than": "多于",
    "at_least": "至少",
    "under": "不到",
}


def language_of(query_string: str, accept_language: str) -> str:
    """`lang=en|zh` in the query wins; else the first of English or Chinese the browser lists."""
    asked = parse_qs(query_string).get("lang", [""])[0].lower()
    if asked in LANGUAGES:
        return asked
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


def translate(text: str, **values) -> str:
    """`text` in the request's language, with {names} filled from `values`."""
    if _LANGUAGE.get() == "zh":
        text = CHINESE.get(text, text)
    return text.format(**values) if values else text


def current_language() -> str:
    return _LANGUAGE.get()


class LanguageMiddleware:
    """ASGI middleware: the request's language, for `translate` while the request is answered."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        accept = headers.get(b"accept-language", b"").decode("latin-1")
        token = _LANGUAGE.set(language_of(scope.get("query_string", b"").decode("latin-1"), accept))
        try:
            await self.app(scope, receive, send)
        finally:
            _LANGUAGE.reset(token)
