"""What the spider yields."""

from __future__ import annotations

from dataclasses import dataclass

from jiwen.core.models import FetchedPage


@dataclass
class PageItem:
    """An article page as fetched; the item pipeline archives, extracts and indexes it."""

    page: FetchedPage
    column: str | None = None  # the start URL whose list linked to it (jiwen/library/health.py)

    def __repr__(self) -> str:
        # Scrapy puts items in its log lines; the page bytes do not belong there.
        return f"PageItem({self.page.url}, {len(self.page.body)} bytes)"
