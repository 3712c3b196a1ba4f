"""Handing work done in another thread back to Scrapy's reactor.

The crawl runs work off the reactor's thread in threads of its own, each with one worker so that
calls keep their order: the page pipeline's pipe (jiwen.library.crawl) and the browser's asyncio
loop (browser.py). Twisted's `deferToThread` would put the work on the reactor's shared thread
pool, where calls could run out of order; `deferred_from_future` instead wraps the thread's
`concurrent.futures.Future`, and Scrapy awaits the Deferred as any other.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import TypeVar

from twisted.internet.defer import Deferred

T = TypeVar("T")


def deferred_from_future(future: Future[T]) -> Deferred[T]:
    """A Deferred fired in the reactor's thread (with the result, or the error) when `future`,
    done in another thread, is done."""
    from twisted.internet import reactor

    deferred: Deferred[T] = Deferred()

    def done(finished: Future[T]) -> None:
        error = finished.exception()
        if error is not None:
            reactor.callFromThread(deferred.errback, error)
        else:
            reactor.callFromThread(deferred.callback, finished.result())

    future.add_done_callback(done)
    return deferred
