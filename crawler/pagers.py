"""List pagers that are not links: TRS WCM draws its pager with JavaScript,

    <script>createPageHTML(12, 0, "index", "html");</script>        (TRS WCM 5-6)
    <script>createPageHTML('page_div', 12, 0, 'index', 'html', 230);</script>   (later builds)
    <script>var countPage = 12; var currentPage = 0; createPageHTML(countPage, currentPage, "index", "html");</script>

meaning 12 list pages, this is page 0, named index.html, index_1.html ... index_11.html. A crawl
reads the call and walks to the next page itself. (Pagers that are links — 下一页, ?page=2,
index_1.html — are followed by NewsSpider.is_next_page from link_patterns.toml.)
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

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
