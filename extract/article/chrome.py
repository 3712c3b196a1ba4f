"""The page around the article: every text block outside the article container (navigation,
breadcrumbs, headline lists, share bars, comments, footers) is reported in `discarded` with a
reason, so a reader of the Article can see what was left out and why."""

from __future__ import annotations

from jiwen.core.models import Discarded
from jiwen.extract.article.boilerplate import boilerplate_reason
from jiwen.extract.article.html import text_lines
from jiwen.extract.article.main_text import drop_reason

_NOT_SHOWN = frozenset({"head", "title", "meta", "link"})


def discard_page_chrome(root, containers: list, measures: dict, keep_from: int | None, keep_to: int | None) -> list[Discarded]:
    """Text of the blocks beside the containers. Blocks inside the document span
    keep_from..keep_to (the headline and byline, read as metadata) are left alone."""
    if not containers:
        return []
    on_path = set()
    for container in containers:
        on_path.update(container.iterancestors())
    inside = set(containers)
    discarded: list[Discarded] = []
    stack = [root]
    while stack:
        node = stack.pop()
        for child in reversed(node):
            if child in inside or not isinstance(child.tag, str) or child.tag in _NOT_SHOWN:
                continue
            if child in on_path:
                stack.append(child)
                continue
            measure = measures.get(child)
            if measure is None or not measure.text:
                continue
            if keep_from is not None and keep_to is not None and measure.order <= keep_to and measure.order + measure.size - 1 >= keep_from:
                # A wrapper around the headline may also hold the menu or a breadcrumb: look
                # inside it, so that only the headline and byline themselves are left alone.
                stack.append(child)
                continue
            discarded.extend(_block_discards(child, measure, measures, containers))
    discarded.sort(key=lambda item: item[0])
    return [item for _, item in discarded]


def _block_discards(block, measure, measures: dict, containers: list) -> list[tuple[int, Discarded]]:
    reason = drop_reason(block, measure)
    if reason is not None:
        return [(measure.order, Discarded(text=line, reason=reason)) for line in text_lines(block) if line]
    # No class, tag or link share says what the block is: its lines may (版权所有, 分享到).
    reason = "navigation" if measure.order < measures[containers[0]].order else "sidebar"
    return [(measure.order, Discarded(text=line, reason=boilerplate_reason(line) or reason)) for line in text_lines(block) if line]
