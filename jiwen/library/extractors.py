"""Extraction processes: what a crawl's page pipeline and `jiwen reextract --workers` hand pages
to when one process cannot extract as fast as pages come.

They are forked from a fork server that loaded the extractor once (`warm_fork_context`, which
makes the server import `jiwen.library.warm_extractor`): each process starts in about 10 ms of
CPU instead of the second and more that importing spaCy and loading the dictionaries take, and
they share those pages of memory with the server until they write to them. On a 1,000-page crawl
on two cores that second was a millisecond a page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jiwen.core.processes import warm_fork_context

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

# Exercises the whole extraction path once (encoding, boilerplate, numbers, places, programmes,
# dates, segmentation) so its dictionaries load before the first page, not during one.
WARM_UP_PAGE = """<html><head><meta charset="utf-8"><title>某县举办春风行动专场招聘会</title></head>
<body><h1>某县举办春风行动专场招聘会</h1><div>发布时间：2024-02-20 来源：县人社局</div>
<p>2月19日，贵州省黔东南苗族侗族自治州从江县举办“春风行动”专场招聘会，36家企业提供就业岗位1200余个，
现场达成就业意向480人，发放一次性交通补贴12.5万元，同比增长15%。</p></body></html>""".encode()

WARM_MODULE = "jiwen.library.warm_extractor"


def warm_up() -> None:
    """Load what extraction needs (dictionaries, the blank spaCy pipeline, patterns) in this
    process, by extracting WARM_UP_PAGE."""
    from jiwen.extract import process_page

    process_page(WARM_UP_PAGE, url="http://warm-up.invalid/")


def extraction_context() -> BaseContext:
    """The multiprocessing context extraction processes are made with: forked warm from a server
    that imported WARM_MODULE."""
    return warm_fork_context(WARM_MODULE)
