"""A site's own article shape, learned from its news lists.

The generic link shapes (link_patterns.toml) cover the common CMS families. A site of another
family (a county portal's own CMS, 广东's 集约化 platform with /content/post_4312345.html, numbers
such as t0035_1417000.html) links to articles that none of them match, and a crawl from its
address found no list at all. Yet a news list shows its articles one way: an item (`<li>`, a
table row) holding a link and a date. When the dated items of a page link to pages of one URL
shape, that shape is the site's article shape.

A shape is the link's path with every run of digits, and every long hexadecimal id, made a
pattern (`/xwdt/gzdt/t17234567.shtml` → `/xwdt/gzdt/t\\d+\\.shtml(\\?|$)`), the rest kept
literally; its query's numbers too (`/pub_newsshow.asp?id=1012345` →
`/pub_newsshow\\.asp\\?id=\\d+(&|$)`). A shape without any such run is not learned: a page with a
fixed name is a column or a service page, not one of many articles. A page teaches a shape when at
least MIN_ITEMS of its dated items link to it and they are most of its dated items (SHARE), so a
list of files, or of columns with dates, teaches nothing.

Written by hand: URL shape induction for one site from one page has no library; the patterns it
makes are matched like the user's (crawler/sites.py, under a time bound).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from scrapy.http import Response, TextResponse

from jiwen.crawler.sites import path_and_query

if TYPE_CHECKING:
    from jiwen.crawler.sites import SiteConfig

# A date in a list item: 2024-03-05, 2024/3/5, 2024.03.05, 2024年3月5日.
DATE_NEAR_LINK = re.compile(r"(19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}")
MIN_ITEMS = 4  # dated items linking to one shape, at least
SHARE = 0.6  # and at least this share of the page's dated items
MAX_ROWS = 200  # list items and rows read from one page
MAX_LEARNED = 20  # shapes one site may learn in one run
# Runs made patterns: long hexadecimal ids (with a digit among their letters), then digits.
_VARYING = re.compile(r"[0-9a-f]{16,64}|\d{1,40}")
# Links that are files, not pages (never an article, and never worth a survey's request).
FILE_SUFFIX = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|7z|jpe?g|png|gif|mp4|mp3|apk|exe|wps|txt|xml|css|js)$", re.IGNORECASE)


def url_shape(url: str) -> str | None:
    """The path pattern of an article URL's shape, or None when the URL has no number or id to
    vary (or is a file, or has no path)."""
    parts = urlsplit(url)
    path = parts.path
    if not path or path.endswith("/") or FILE_SUFFIX.search(path) or len(path) > 300:
        return None
    varied = False

    def generalise(segment: str) -> str:
        nonlocal varied
        pieces: list[str] = []
        position = 0
        for match in _VARYING.finditer(segment):
            token = match.group()
            if not token.isdigit() and not any(character.isdigit() for character in token):
                continue  # a hexadecimal-looking word without digits is a word
            pieces.append(re.escape(segment[position : match.start()]))
            pieces.append(r"\d+" if token.isdigit() else "[0-9a-f]+")
            position = match.end()
            varied = True
        pieces.append(re.escape(segment[position:]))
        return "".join(pieces)

    shape = "/".join(generalise(segment) for segment in path.split("/"))
    if parts.query:
        fields = parse_qsl(parts.query, keep_blank_values=True)
        if not fields or len(fields) > 6:
            return None
        query = []
        for key, value in fields:
            if value.isdigit():
                query.append(f"{re.escape(key)}=\\d+")
                varied = True
            else:
                query.append(f"{re.escape(key)}={re.escape(value)}")
        shape += r"\?" + "&".join(query) + "(&|$)"
    else:
        shape += r"(\?|$)"
    return shape if varied else None


# List items and table rows (and <dd>s) that hold a link and no list of their own (a menu's item).
ITEMS = "//li[.//a][not(.//li)] | //tr[.//a][not(.//tr)] | //dd[.//a]"


def dated_item_links(response: Response) -> list[str]:
    """The headline link of each list item or table row of the page that also holds a date, as
    absolute URLs, in page order. The headline is the row's link with the longest text: a row
    may open with its column's link (`[工作动态]`)."""
    if not isinstance(response, TextResponse):
        return []
    links: list[str] = []
    for row in response.xpath(ITEMS)[:MAX_ROWS]:
        if not DATE_NEAR_LINK.search(" ".join(row.xpath(".//text()").getall())[:400]):
            continue
        anchors = [(len(" ".join(a.xpath(".//text()").getall()).strip()), a.attrib.get("href", "")) for a in row.xpath(".//a[@href]")[:5]]
        if not anchors:
            continue
        href = max(anchors, key=lambda anchor: anchor[0])[1].strip()  # the first of the longest
        if href and not href.lower().startswith(("javascript:", "mailto:", "#")):
            links.append(response.urljoin(href))
    return links


def learn_article_shape(urls: Iterable[str]) -> str | None:
    """The shape most of these dated-item links share, if at least MIN_ITEMS do."""
    urls = list(urls)
    shapes = Counter(shape for url in dict.fromkeys(urls) if (shape := url_shape(url)) is not None)
    if not shapes:
        return None
    shape, count = shapes.most_common(1)[0]
    if count >= MIN_ITEMS and count >= SHARE * len(set(urls)):
        return shape
    return None


def learn_site_shape(site: SiteConfig, response: Response) -> str | None:
    """A new article shape for `site` from this page's dated items, or None: none found, the
    site names its own article_patterns (the user's word stands), or it learned enough."""
    if site.article_patterns or len(site.learned_patterns) >= MAX_LEARNED:
        return None
    candidates = []
    for url in dated_item_links(response):
        if not site.owns(url):
            continue
        if site.is_article_url(url) or any(pattern.match(path_and_query(url)) for pattern in site.deny_regexes):
            continue
        candidates.append(url)
    shape = learn_article_shape(candidates)
    return shape if shape is not None and shape not in site.learned_patterns else None
