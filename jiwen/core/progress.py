"""How long jobs say how far they are: a `progress(done, total)` callback, `total` None when it
is not known in advance. The library and the crawler call it; only a skin draws it (the CLI draws
a bar on a terminal), so the library stays quiet when used without the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Progress = Callable[[int, "int | None"], None]
T = TypeVar("T")


def counted(items: Iterable[T], progress: Progress | None, total: int | None = None) -> Iterator[T]:
    """`items`, calling `progress` with how many have been handed out so far after each one's work
    (that is, when the next one is asked for, and at the end); first with 0 when `total` is known."""
    if progress is None:
        yield from items
        return
    if total is not None:
        progress(0, total)
    for done, item in enumerate(items, start=1):
        yield item
        progress(done, total)
