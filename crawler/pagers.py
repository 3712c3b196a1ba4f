"""List pages that are not plain links. TRS WCM draws its pager with JavaScript,

    <script>createPageHTML(12, 0, "index", "html");</script>        (TRS WCM 5-6)
    <script>createPageHTML('page_div', 12, 0, 'index', 'html', 230);</script>   (later builds)
    <script>var countPage = 12; var currentPage = 0; createPageHTML(countPage, currentPage, "index", "html");</script>

meaning 12 list pages, this is page 0, named index.html, index_1.html ... index_11.html. A crawl
reads the call and walks to the next page itself. (Pagers that are links — 下一页, ?page=2,
index_1.html — are followed by NewsSpider.is_next_page from link_patterns.toml.)

Hanweb JCMS (大汉; many 人社厅 and 人社局 sites of 浙江, 江苏, 安徽, 山东...) puts a column's list
in the page as data for its jpage script, not as links:

    <div id="4567890"><script type="text/xml"><datastore>
    <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=3&path=/&columnid=1229&unitid=4567890&permissiontype=0"></a>]]></nextgroup>
    <recordset><record><![CDATA[<li><a href="/art/2024/3/5/art_1229_5012345.html">...</a><span>2024-03-05</span></li>]]></record>
    ...</recordset></datastore></script></div>

the first records of the column (often 45: three screens of 15), the rest fetched by the script
from the data proxy, `dataproxy.jsp?startrecord=46&endrecord=90&perpage=15` with the nextgroup
link's parameters, which answers with another <datastore>. `datastore_links` gives a crawl the
records' links, and `next_datastore_group` the data proxy's URL for the records after these
(asked with GET, every parameter in the query, as the proxy reads either).
"""

from __future__ import annotations

import html as html_module
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.link import Link
from scrapy.linkextractors import LinkExtractor

CREATE_PAGE_HTML = re.compile(r"createPageHTML\s*\(([^)]{0,200})\)")
ARGUMENT = re.compile(r"""\s*(?:(['"])([^'"]*)\1|(\d+)|([A-Za-z_$][\w$]*))\s*(?:,|$)""")


def script_pager(html: str) -> tuple[int, int, str, str] | None:
    """(page count, current page, file prefix, suffix) from a createPageHTML call, or None."""
    for call in CREATE_PAGE_HTML.finditer(html):
        numbers: list[int] = []
        texts: list[str] = []
        for match in ARGUMENT.finditer(call.group(1)):
            if match.group(3) is not None:
                numbers.append(int(match.group(3)))
            elif match.group(4) is not None:
                # A variable: its value from the page's own `var countPage = 12`.
                value = re.search(rf"\b{re.escape(match.group(4))}\s*=\s*['\"]?(\d+)", html)
                if value is not None:
                    numbers.append(int(value.group(1)))
            else:
                texts.append(match.group(2))
        # The page count and the current page are the first two numbers, the file name's prefix
        # and suffix the last two strings (the later builds put a div id first, a total last).
        if len(numbers) >= 2 and len(texts) >= 2 and re.fullmatch(r"[\w-]+", texts[-2]) and re.fullmatch(r"\w+", texts[-1]):
            return numbers[0], numbers[1], texts[-2], texts[-1]
    return None


def next_script_page(html: str, url: str) -> str | None:
    """The URL of the list page after this one by its createPageHTML pager, or None on the last
    page (or when the page has no such pager)."""
    pager = script_pager(html)
    if pager is None:
        return None
    count, current, prefix, suffix = pager
    if current + 1 >= count:
        return None
    return urljoin(url, f"{prefix}_{current + 1}.{suffix}")


# Read from untrusted pages: every pattern is bounded (a record's opening tag, a nextgroup's
# link), and the records are cut with str.find, so a page of a million unclosed <record> tags
# is read in one pass, not one pass a tag.
DATASTORE = re.compile(r"<datastore\b", re.IGNORECASE)
RECORD_OPENING = re.compile(r"<record\b[^>]{0,200}>\s{0,100}<!\[CDATA\[", re.IGNORECASE)
NEXT_GROUP = re.compile(
    r"<nextgroup\b[^>]{0,200}>\s{0,100}<!\[CDATA\[[^\]]{0,2000}?href\s{0,5}=\s{0,5}(['\"])([^'\"<>]{1,2000})\1", re.IGNORECASE
)
TOTAL_RECORDS = re.compile(
    r"<totalrecord>\s{0,20}(\d{1,9})\s{0,20}</totalrecord>|\btotalRecord\s{0,5}[:=]\s{0,5}['\"]?(\d{1,9})", re.IGNORECASE
)
PER_PAGE = re.compile(r"\bperPage\s{0,5}[:=]\s{0,5}['\"]?(\d{1,4})", re.IGNORECASE)
# The proxy's paging parameters; the others (webid, columnid, unitid, ...) say which list.
_PAGING = frozenset({"page", "startrecord", "endrecord", "perpage"})
DEFAULT_PER_PAGE = 15


def datastore_records(text: str) -> list[str]:
    """The HTML fragments of a JCMS <datastore>'s records (empty when the page has none)."""
    found = DATASTORE.search(text)
    if found is None:
        return []
    records = []
    position = found.end()
    while (opening := RECORD_OPENING.search(text, position)) is not None:
        end = text.find("]]>", opening.end())
        if end < 0:
            break
        records.append(text[opening.end() : end])
        position = end + 3
    return records


def datastore_links(response: Response) -> list[Link]:
    """The links of a JCMS <datastore>'s records in `response` (a column page or the data
    proxy's answer), as Scrapy's LinkExtractor reads them from the records' HTML."""
    if not isinstance(response, TextResponse):
        return []
    records = datastore_records(response.text)
    if not records:
        return []
    page = HtmlResponse(url=response.url, body="\n".join(records).encode("utf-8"), encoding="utf-8")
    return LinkExtractor(unique=True).extract_links(page)


def list_links(extractor: LinkExtractor, response: Response) -> list[Link]:
    """A list page's links: those of its HTML (what `extractor` takes) and those of the JCMS
    records it holds as data."""
    links = extractor.extract_links(response) if isinstance(response, HtmlResponse) else []
    return links + datastore_links(response)


def next_datastore_group(text: str, url: str) -> str | None:
    """The data proxy's URL for the records after this page's (a column page holding a
    <datastore>, or the proxy's own answer at `url`), as many as this page held; None when it
    held none, when its total says there are no more, or when it names no proxy."""
    records = len(datastore_records(text))
    if not records:
        return None
    asked = dict(parse_qsl(urlsplit(url).query))
    start = int(asked["startrecord"]) if re.fullmatch(r"\d{1,9}", asked.get("startrecord", "")) else 1
    total = TOTAL_RECORDS.search(text)
    if total is not None and start + records > int(total.group(1) or total.group(2)):
        return None
    if "startrecord" in asked:  # the proxy's answer: ask it again, further on
        proxy, parameters = url.split("?", 1)[0], parse_qsl(urlsplit(url).query, keep_blank_values=True)
    else:
        link = NEXT_GROUP.search(text)
        if link is None:
            return None
        href = urljoin(url, html_module.unescape(link.group(2)).strip())
        proxy, parameters = href.split("?", 1)[0], parse_qsl(urlsplit(href).query, keep_blank_values=True)
    per_page = asked.get("perpage") or (match.group(1) if (match := PER_PAGE.search(text)) else str(DEFAULT_PER_PAGE))
    paging = [("startrecord", str(start + records)), ("endrecord", str(start + 2 * records - 1)), ("perpage", per_page)]
    return f"{proxy}?{urlencode(paging + [(name, value) for name, value in parameters if name.lower() not in _PAGING])}"
