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
