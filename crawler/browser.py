"""The browser path: pages that need JavaScript, fetched with headless Debian chromium through
Playwright. Nothing here downloads a browser: Playwright launches the chromium at
$JIWEN_CHROMIUM (default /usr/bin/chromium, `apt-get install chromium`).

Why not scrapy-playwright: it needs Scrapy's asyncio reactor, and jiwen runs Twisted's own
(crawler/settings.py: under asyncio the per-server limit was not kept). So Playwright's asyncio
API runs on an event loop of its own in one thread (Browser), and a download handler
(RenderingDownloadHandler) hands it pages as futures the Twisted reactor waits on. Being a
download handler, not a middleware, a rendered request waits in the downloader's slot like any
other: the per-server limit and the delays hold, and robots.txt has been checked before it
(RobotsTxtMiddleware runs first).

When a site is rendered (RenderState):
- `render = "browser"` (sites.toml) or `crawl --render browser`: every page of the site;
- `render = "auto"` (the default): plain HTTP until an answer of a kind the browser gets past
  (`browser_passes` in blocked_answers.toml: 瑞数 412, 加速乐 521) comes back; that request is
  rendered, and the cookies the browser earned are sent with the site's plain requests from then
  on. When the site refuses them too (瑞数 ties its cookie to the browser), every later page of
  the site is rendered for the rest of the run;
- `render = "http"`: never.

robots.txt is fetched plain, as Scrapy asks for it; when it answers with a challenge the browser
gets past, it is fetched again through chromium and the file's own text (not the page chromium
draws around it) is what Scrapy parses, so the rules hold for every page after it, rendered or not.

Memory: chromium grows with every page it renders. The crawl's one chromium is closed and started
afresh (at the next page) after JIWEN_BROWSER_MAX_PAGES pages, or as soon as its processes hold
more than JIWEN_BROWSER_MAX_MEMORY_MB together (crawler/settings.py); the cookies a site earned are
kept by the crawl (RenderState) and handed to the new one. It is always closed at the crawl's end.

Chromium that stops answering: Playwright sends some commands without a timeout of its own
(closing a page, a context or the browser; opening one), and on a loaded machine chromium has been
seen never to answer a page's close (a 加速乐 page reloading itself for ever: the crawl waited on it
until killed). Every command is therefore bounded here: opening a page and closing one within
JIWEN_BROWSER_ANSWER_TIMEOUT seconds (default 10), launching within LAUNCH_TIMEOUT. A page that
does not close keeps what it rendered, and chromium is restarted before the next page; a page that
cannot be opened fails with BrowserUnresponsive (a TimeoutError: retried like one). Chromium that
does not close within the same bound is killed (its processes are this process's descendants) and
Playwright's driver is started afresh. The report counts these restarts apart (`unresponsive`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import signal
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future

from jiwen.crawler.deferreds import deferred_from_future
from jiwen.crawler.middlewares import KIND

log = logging.getLogger(__name__)

RENDER = "jiwen_render"  # request meta: fetch this request with the browser
RAW_TEXT = "jiwen_raw_text"  # request meta: the answer's own bytes (robots.txt), not the rendered page
CHALLENGED_BY = "jiwen_challenged_by"  # request meta: the answer kind that sent it to the browser
RENDERED_FLAG = "rendered"  # response flag of a page the browser rendered
RENDERED_HEADER = "x-jiwen-rendered"  # kept with an archived page that is the browser's HTML
BROWSER_SETTING = "JIWEN_BROWSER"  # the crawl's one Browser (run_crawl), or absent
MAX_PAGES_SETTING = "JIWEN_BROWSER_MAX_PAGES"  # chromium is restarted after this many pages
MAX_MEMORY_SETTING = "JIWEN_BROWSER_MAX_MEMORY_MB"  # ... or when its processes hold more than this
RENDER_SETTING = "JIWEN_RENDER"  # --render: overrides every site's `render`
RENDER_MODES = ("auto", "browser", "http")
DEFAULT_CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = "install Debian's chromium (apt-get install chromium) and crawl again"

# Bounds: a crawl holds at most this many pages open in the browser (the per-server limit is
# lower still), waits at most RENDER_TIMEOUT for one, and lets a challenge reload itself at most
# MAX_RELOADS times. The flags keep each renderer small; images, fonts and media are never
# fetched (the archive keeps HTML).
MAX_OPEN_PAGES = 4
RENDER_TIMEOUT = float(os.environ.get("JIWEN_RENDER_TIMEOUT", "30"))
# How long chromium may take to open or close a page, a context or itself (no network in these).
ANSWER_TIMEOUT = float(os.environ.get("JIWEN_BROWSER_ANSWER_TIMEOUT", "10"))
LAUNCH_TIMEOUT = 60.0  # Playwright's driver and chromium starting, on a loaded machine
SETTLE_SECONDS = 2.0  # after load: scripts that build the page from a JSON request
CHALLENGE_SECONDS = 6.0  # a challenge that has not reloaded by then will not
MAX_RELOADS = 3
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-extensions",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
    "--renderer-process-limit=2", "--js-flags=--max-old-space-size=256",
)  # fmt: skip
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
# Headers of the browser's answer that describe bytes the rendered HTML no longer is.
DROPPED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding", "content-type", "set-cookie"})


def chromium_path() -> Path:
    return Path(os.environ.get("JIWEN_CHROMIUM") or DEFAULT_CHROMIUM)


def browser_missing() -> str | None:
    """Why no page can be rendered on this machine, or None when it can."""
    path = chromium_path()
    if not path.is_file() or not os.access(path, os.X_OK):
        return f"chromium is not installed at {path}"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install playwright; it drives the installed chromium)"
    return None


def crawl_browser(settings) -> Browser | None:
    """The one Browser of a crawl (or a discovery) with these Scrapy settings: None when no page
    may be rendered (--render http) or chromium is not there (a challenge then says so)."""
    if settings.get(RENDER_SETTING) == "http" or browser_missing() is not None:
        return None
    return Browser(max_pages=settings.getint(MAX_PAGES_SETTING), max_memory_mb=settings.getint(MAX_MEMORY_SETTING))


def add_browser_report(report: dict, browser: Browser | None) -> None:
    """What chromium did in a crawl, in its report: pages rendered, restarts and why, the most
    memory its processes held; and a line for the output when it was restarted."""
    if browser is None or not (browser.pages_rendered or browser.unresponsive):
        return
    report["browser"] = {
        "pages_rendered": browser.pages_rendered,
        "restarts": len(browser.restarts),
        "peak_memory_mb": round(browser.peak_memory_mb),
    }
    if browser.restarts:
        line = f"chromium was restarted {len(browser.restarts)} time(s) to bound its memory (last: {browser.restarts[-1]})"
        report.setdefault("explanations", []).append(line)
    if browser.unresponsive:
        report["browser"]["unresponsive"] = len(browser.unresponsive)
        line = f"chromium stopped answering {len(browser.unresponsive)} time(s) and was restarted (last: {browser.unresponsive[-1]})"
        report.setdefault("explanations", []).append(line)


def chromium_memory_mb() -> float | None:
    """What this process's chromium processes hold in memory together (resident set, MB), read
    from /proc; None where there is no /proc."""
    pids = chromium_pids()
    if pids is None:
        return None
    page_size = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for pid in pids:
        try:
            total += int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * page_size
        except (OSError, ValueError, IndexError):
            continue  # it ended meanwhile
    return total / 2**20


def kill_chromium() -> int:
    """SIGKILL this process's chromium processes (one that stopped answering); how many."""
    killed = 0
    for pid in chromium_pids() or []:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            killed += 1
    return killed


def chromium_pids() -> list[int] | None:
    """This process's chromium processes, from /proc (None where there is none): found among its
    descendants (Playwright's driver starts them) by their executable's name."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    children: dict[int, list[int]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found = []
    waiting = list(children.get(os.getpid(), []))
    while waiting:
        pid = waiting.pop()
        waiting.extend(children.get(pid, []))
        try:
            if "chrom" in (proc / str(pid) / "comm").read_text():
                found.append(pid)
        except OSError:
            continue
    return found


class BrowserUnresponsive(TimeoutError):
    """Chromium did not answer a command within ANSWER_TIMEOUT (or start within LAUNCH_TIMEOUT).
    A TimeoutError, so Scrapy retries the request (by then chromium has been restarted)."""


@dataclass
class RenderedPage:
    url: str
    status: int
    headers: dict[str, str]
    html: str
    cookies: dict[str, str]


class Browser:
    """One headless chromium for a whole crawl, started at the first page that needs it, in a
    thread of its own. Each site gets its own browser context, so cookies one site earns stay
    with it. render() may be called from any thread and returns a concurrent Future."""

    def __init__(self, executable: Path | None = None, *, max_pages: int = 0, max_memory_mb: int = 0) -> None:
        self.executable = Path(executable or chromium_path())
        self.max_pages = max_pages  # 0: no limit
        self.max_memory_mb = max_memory_mb  # 0: no limit
        self.pages_rendered = 0
        self.restarts: list[str] = []  # why chromium was restarted, once per restart
        self.unresponsive: list[str] = []  # what chromium did not answer, once per restart it caused
        self._stuck: str | None = None  # chromium stopped answering: restart it before the next page
        self.peak_memory_mb = 0.0  # the most chromium's processes held together, when measured
        self.started_seconds: float | None = None  # how long the launch took
        self._pages_since_launch = 0
        self._restarting = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._playwright = None
        self._browser = None
        self._contexts: dict[str, object] = {}
        self._open_pages: asyncio.Semaphore | None = None
        self._launching: asyncio.Lock | None = None

    def __deepcopy__(self, memo: dict) -> Browser:
        return self  # handed to every site's crawler through the settings, which Scrapy copies

    @property
    def started(self) -> bool:
        return self._browser is not None

    def render(self, site: str, url: str, *, headers: dict[str, str], cookies: dict[str, str], timeout: float) -> concurrent.futures.Future:
        loop = self._ensure_loop()
        return asyncio.run_coroutine_threadsafe(self._render(site, url, headers, cookies, timeout), loop)

    def close(self, timeout: float = 3 * ANSWER_TIMEOUT + 5) -> None:
        """Close the browser and its thread; safe to call twice, and when it never started.
        Bounded: chromium that does not close is killed (_close_browser), a driver that does not
        stop is left to end with this process (it reads its commands from our pipe)."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout)
        except Exception as error:
            log.warning("closing chromium: %s", error)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout)

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()
                    loop.close()

                self._thread = threading.Thread(target=run, name="jiwen-browser", daemon=True)
                self._thread.start()
                ready.wait()
                self._loop = loop
            return self._loop

    async def _launch(self) -> None:
        if self._launching is None:
            self._launching = asyncio.Lock()
        async with self._launching:
            if self._browser is not None:
                return
            from playwright.async_api import async_playwright

            started = time.monotonic()
            try:
                async with asyncio.timeout(LAUNCH_TIMEOUT):
                    if self._playwright is None:
                        self._playwright = await async_playwright().start()
                    self._browser = await self._playwright.chromium.launch(
                        executable_path=str(self.executable), args=list(CHROMIUM_ARGS), headless=True, timeout=LAUNCH_TIMEOUT * 1000
                    )
            except TimeoutError:
                self._mark_stuck(f"chromium did not start within {LAUNCH_TIMEOUT:g}s")
                raise BrowserUnresponsive(f"chromium did not start within {LAUNCH_TIMEOUT:g}s") from None
            self.started_seconds = time.monotonic() - started

    async def _context_for(self, site: str, headers: dict[str, str]):
        context = self._contexts.get(site)
        if context is None:
            extra = {name: value for name, value in headers.items() if name.lower() not in ("cookie", "user-agent")}
            user_agent = next((value for name, value in headers.items() if name.lower() == "user-agent"), None)
            context = await self._browser.new_context(user_agent=user_agent, extra_http_headers=extra, locale="zh-CN")
            await context.route("**/*", _skip_heavy_resources)
            self._contexts[site] = context
        return context

    def render_text(
        self, site: str, url: str, *, headers: dict[str, str], cookies: dict[str, str], timeout: float
    ) -> concurrent.futures.Future:
        """As render(), but the page's `html` is the body the server sent for it (robots.txt)."""
        loop = self._ensure_loop()
        return asyncio.run_coroutine_threadsafe(self._render(site, url, headers, cookies, timeout, raw=True), loop)

    async def _render(
        self, site: str, url: str, headers: dict[str, str], cookies: dict[str, str], timeout: float, raw: bool = False
    ) -> RenderedPage:
        if self._open_pages is None:
            self._open_pages = asyncio.Semaphore(MAX_OPEN_PAGES)
        try:
            async with self._open_pages:
                await self._launch()
                try:
                    async with asyncio.timeout(ANSWER_TIMEOUT):
                        context = await self._context_for(site, headers)
                        if cookies:
                            await context.add_cookies([{"name": name, "value": value, "url": url} for name, value in cookies.items()])
                        page = await context.new_page()
                except TimeoutError:
                    what = f"opening a page took over {ANSWER_TIMEOUT:g}s"
                    self._mark_stuck(what)
                    raise BrowserUnresponsive(f"chromium stopped answering: {what} ({url})") from None
                try:
                    # _load keeps within `timeout`; the margin is for a renderer that stops answering.
                    return await asyncio.wait_for(self._load(page, url, timeout, raw), timeout + 5)
                finally:
                    await self._close_page(page)
                    self.pages_rendered += 1
                    self._pages_since_launch += 1
        finally:
            # Outside the page slot: a restart waits for every slot, this one's too.
            await self._restart_if_due()

    async def _close_page(self, page) -> None:
        """Close a page within ANSWER_TIMEOUT. Playwright waits for chromium's answer without a
        timeout; one that never comes must not hold the crawl: the page is left to the restart
        that follows (what it rendered is kept)."""
        try:
            await asyncio.wait_for(page.close(), ANSWER_TIMEOUT)
        except TimeoutError:
            self._mark_stuck(f"a page did not close within {ANSWER_TIMEOUT:g}s")
        except Exception as error:  # a crashed renderer: the page is gone either way
            log.warning("closing a page in chromium: %s", error)

    def _mark_stuck(self, what: str) -> None:
        if self._stuck is None:
            self._stuck = what
            log.warning("chromium stopped answering (%s): it is restarted before the next page", what)

    async def _restart_if_due(self) -> None:
        """Close chromium when it has rendered its share of pages or holds too much memory; the
        next page launches a fresh one. Waits for the pages in progress (every slot) first."""
        if self._restarting or self._open_pages is None or (self._browser is None and self._stuck is None):
            return
        reason = self._restart_reason()
        if reason is None:
            return
        self._restarting = True
        held = 0
        try:
            for _ in range(MAX_OPEN_PAGES):
                await self._open_pages.acquire()
                held += 1
            log.info("restarting chromium: %s", reason)
            stuck = self._stuck
            await self._close_browser()
            (self.unresponsive if stuck is not None else self.restarts).append(reason)
        finally:
            for _ in range(held):
                self._open_pages.release()
            self._restarting = False

    def _restart_reason(self) -> str | None:
        if self._stuck is not None:
            return self._stuck
        if self.max_pages and self._pages_since_launch >= self.max_pages:
            return f"{self._pages_since_launch} pages rendered (JIWEN_BROWSER_MAX_PAGES = {self.max_pages})"
        memory = chromium_memory_mb()
        if memory is not None:
            self.peak_memory_mb = max(self.peak_memory_mb, memory)
            if self.max_memory_mb and memory > self.max_memory_mb:
                return f"its processes held {memory:.0f} MB (JIWEN_BROWSER_MAX_MEMORY_MB = {self.max_memory_mb})"
        return None

    async def _close_browser(self) -> None:
        """Close chromium within ANSWER_TIMEOUT; kill it when it does not close (at once when it
        had stopped answering), and start Playwright's driver afresh with the next chromium.
        Killed: this process's chromium processes (a crawl has one Browser)."""
        stuck = self._stuck is not None  # asking it to close would only wait again
        if not stuck:
            try:
                async with asyncio.timeout(ANSWER_TIMEOUT):
                    for context in list(self._contexts.values()):
                        with contextlib.suppress(Exception):
                            await context.close()
                    if self._browser is not None:
                        try:
                            await self._browser.close()
                        except Exception as error:  # a crashed chromium: the next page launches a new one anyway
                            log.warning("closing chromium: %s", error)
            except TimeoutError:
                log.warning("chromium did not close within %gs: its processes are killed", ANSWER_TIMEOUT)
                stuck = True
        if stuck:
            kill_chromium()
            await self._stop_driver()
        self._contexts.clear()
        self._browser = None
        self._stuck = None
        self._pages_since_launch = 0

    async def _stop_driver(self) -> None:
        """Stop Playwright's driver within ANSWER_TIMEOUT (one left running ends with this process:
        it reads its commands from our pipe); the next launch starts a new one."""
        playwright, self._playwright = self._playwright, None
        if playwright is None:
            return
        try:
            async with asyncio.timeout(ANSWER_TIMEOUT):
                await playwright.stop()
        except Exception as error:
            log.warning("stopping Playwright's driver: %s", str(error) or type(error).__name__)

    async def _load(self, page, url: str, timeout: float, raw: bool = False) -> RenderedPage:
        from playwright.async_api import Error as PlaywrightError

        answers: list = []  # the main frame's navigation responses, in order
        navigated = asyncio.Event()

        def on_response(response) -> None:
            if response.request.is_navigation_request() and response.frame == page.main_frame:
                answers.append(response)
                navigated.set()

        page.on("response", on_response)
        deadline = time.monotonic() + timeout
        try:
            await page.goto(url, wait_until="commit", timeout=timeout * 1000)
        except PlaywrightError:
            if not answers:
                raise  # a challenge's reload can interrupt the first navigation; nothing else may
        # A cookie challenge answers 412/521 with a script that sets its cookie and reloads the
        # page: wait for the reload's answer.
        for _ in range(MAX_RELOADS):
            if answers and answers[-1].status < 400 or len(answers) > MAX_RELOADS:
                break
            navigated.clear()
            try:
                await asyncio.wait_for(navigated.wait(), max(0.1, min(CHALLENGE_SECONDS, deadline - time.monotonic())))
            except TimeoutError:
                break
        if len(answers) > MAX_RELOADS and answers[-1].status >= 400:
            # A challenge that reloads itself for ever (the cookie it sets never passes): its
            # answers are what the site says (the newest whose body can still be read).
            last = answers[-1]
            html = ""
            for answer in reversed(answers):
                if html := await _text(answer):
                    break
            return RenderedPage(url=last.url, status=last.status, headers=await last.all_headers(), html=html, cookies={})
        if raw and answers:
            # robots.txt: the file as the server sent it once the challenge let chromium through.
            last = answers[-1]
            cookies = {cookie["name"]: cookie["value"] for cookie in await page.context.cookies(last.url)}
            return RenderedPage(url=last.url, status=last.status, headers=await last.all_headers(), html=await _text(last), cookies=cookies)
        settle = max(0.1, min(SETTLE_SECONDS, deadline - time.monotonic()))
        for state in ("load", "networkidle"):
            try:
                await page.wait_for_load_state(state, timeout=settle * 1000)
            except PlaywrightError:
                pass  # a page that keeps polling is taken as it stands
        html = await _content(page)
        last = answers[-1] if answers else None
        served = await last.all_headers() if last is not None else {}
        cookies = {cookie["name"]: cookie["value"] for cookie in await page.context.cookies(page.url)}
        return RenderedPage(url=page.url, status=last.status if last is not None else 200, headers=served, html=html, cookies=cookies)

    async def _shutdown(self) -> None:
        await self._close_browser()
        await self._stop_driver()


async def _content(page) -> str:
    """The page's HTML as rendered; a navigation still in progress is waited for, once."""
    from playwright.async_api import Error as PlaywrightError

    for _ in range(3):
        try:
            return await page.content()
        except PlaywrightError:
            try:
                await page.wait_for_load_state("load", timeout=2000)
            except PlaywrightError:
                pass
    return await page.content()


async def _text(response) -> str:
    from playwright.async_api import Error as PlaywrightError

    try:
        return await response.text()
    except PlaywrightError:
        return ""  # the page moved on before its body could be read


async def _skip_heavy_resources(route) -> None:
    if route.request.resource_type in SKIPPED_RESOURCES:
        await route.abort()
    else:
        await route.continue_()


@dataclass
class RenderState:
    """What one site's crawl knows about rendering: its mode, whether it has switched to the
    browser, the cookies the browser earned and whether plain requests may carry them."""

    mode: str = "auto"
    available: bool = False  # a Browser is there and chromium is installed
    switched_by: str | None = None  # the answer kind that sent an auto site to the browser
    cookies: dict[str, str] = field(default_factory=dict)
    plain_refused: bool = False  # the site challenged a plain request that carried the cookies
    missing: str | None = None  # why a challenge could not be rendered (no chromium)
    browser_failed: bool = False  # a rendered page still answered with the challenge
    scripted_lists: bool = False  # no news list in the site's plain pages: rendered from then on

    def renders_everything(self) -> bool:
        return (
            self.mode == "browser"
            or self.scripted_lists
            or (self.switched_by is not None and self.plain_refused and not self.browser_failed)
        )

    def render_for_lists(self) -> bool:
        """Send an `auto` site whose plain pages showed no news list at all to the browser for the
        rest of the run (its lists are drawn by scripts: a JCMS page without its records, a
        column filled from JSON); False when that cannot help (`http`, rendered already, done
        once, no chromium)."""
        if self.mode != "auto" or self.scripted_lists or self.renders_everything() or not self.available:
            return False
        self.scripted_lists = True
        return True

    def on_challenge(self, request: Request, kind: str, *, raw: bool = False) -> Request | None:
        """The request again, to be rendered, when the browser gets past this answer; None when
        the answer stands (rendered already, mode http, or no chromium: then `missing` says why).
        `raw`: the rendered request is to answer with the file the server sent (robots.txt)."""
        if request.meta.get(RENDER):
            self.browser_failed = True  # not worth a second try on this site in this run
            return None
        if self.mode == "http" or self.browser_failed:
            return None
        if not self.available:
            self.missing = self.missing or browser_missing() or "no browser in this crawl"
            return None
        if self.switched_by is not None and not request.meta.get(RENDER):
            self.plain_refused = True  # it came back with the earned cookies: they are not enough
        self.switched_by = self.switched_by or kind
        meta = {**request.meta, RENDER: True, CHALLENGED_BY: kind, "dont_cache": True}
        if raw:
            meta[RAW_TEXT] = True
        return request.replace(meta=meta, dont_filter=True)


def unpassed_challenge(request: Request, status: int) -> str | None:
    """The challenge kind a rendered request still answers with: an error status after the
    browser tried (a challenge that reloads for ever leaves no body to recognise it by)."""
    return request.meta.get(CHALLENGED_BY) if request.meta.get(RENDER) and status >= 400 else None


_states: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def render_state_of(crawler) -> RenderState:
    """The site's RenderState, one per crawler (each site of a crawl is its own crawler)."""
    state = _states.get(crawler)
    if state is None:
        site = getattr(getattr(crawler, "spider", None), "site", None)
        mode = crawler.settings.get(RENDER_SETTING) or getattr(site, "render", "auto")
        available = crawler.settings.get(BROWSER_SETTING) is not None and browser_missing() is None
        state = _states[crawler] = RenderState(mode=mode, available=available)
    return state


class RenderMiddleware:
    """Marks the requests of a site that is rendered throughout, and sends the cookies the
    browser earned with a switched site's plain requests. Sits just after SiteRequestMiddleware
    (the site's own headers and cookies) and before robots.txt is consulted."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.meta.get(KIND) is None:
            return None  # robots.txt: plain, as Scrapy asks for it
        state = render_state_of(self.crawler)
        if state.renders_everything() and state.available and not request.meta.get(RENDER):
            request.meta[RENDER] = True
            request.meta["dont_cache"] = True
        elif state.cookies and not request.meta.get(RENDER):
            earned = "; ".join(f"{name}={value}" for name, value in state.cookies.items())
            existing = request.headers.get("Cookie")
            request.headers["Cookie"] = f"{existing.decode('latin-1')}; {earned}" if existing else earned
        return None


class RenderingDownloadHandler(BaseDownloadHandler):
    """http(s) downloads: Scrapy's own HTTP/1.1 handler, or the crawl's Browser for requests
    marked RENDER. The rendered page comes back as an HtmlResponse of the browser's HTML (UTF-8),
    flagged "rendered", with the headers the server sent for it."""

    lazy = False

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.http = HTTP11DownloadHandler.from_crawler(crawler)
        self.browser: Browser | None = crawler.settings.get(BROWSER_SETTING)

    async def download_request(self, request: Request):
        if not request.meta.get(RENDER) or self.browser is None:
            return await self.http.download_request(request)
        site = getattr(self.crawler.spider, "site", None)
        site_name = getattr(site, "name", "site")
        state = render_state_of(self.crawler)
        cookies = {**dict(getattr(site, "cookies", {}) or {}), **state.cookies}
        raw = bool(request.meta.get(RAW_TEXT))
        render = self.browser.render_text if raw else self.browser.render
        future = render(site_name, request.url, headers=dict(getattr(site, "headers", {}) or {}), cookies=cookies, timeout=RENDER_TIMEOUT)
        page = await maybe_deferred_to_future(deferred_from_future(future))
        state.cookies.update(page.cookies)
        self.crawler.stats.inc_value("jiwen/rendered")
        served = {name: value for name, value in page.headers.items() if name.lower() not in DROPPED_HEADERS}
        if raw:
            # robots.txt as the server sent it, for Scrapy's parser: not an HTML page.
            served["Content-Type"] = "text/plain; charset=utf-8"
            return TextResponse(
                url=page.url, status=page.status, headers=served, body=page.html.encode("utf-8"),
                encoding="utf-8", request=request, flags=[RENDERED_FLAG],
            )  # fmt: skip
        served["Content-Type"] = "text/html; charset=utf-8"
        return HtmlResponse(
            url=page.url, status=page.status, headers=served, body=page.html.encode("utf-8"),
            encoding="utf-8", request=request, flags=[RENDERED_FLAG],
        )  # fmt: skip

    async def close(self) -> None:
        await self.http.close()


def render_explanations(name: str, crawler) -> list[str]:
    """The crawl report's lines about a site's browser path."""
    state = _states.get(crawler)
    if state is None:
        return []
    rendered = crawler.stats.get_value("jiwen/rendered", 0)
    lines = []
    if state.switched_by is not None:
        cookies = (
            "the site refused them on plain requests, so its pages were rendered"
            if state.plain_refused
            else "its plain requests carried the cookies the browser earned"
        )
        if state.browser_failed:
            cookies = "but chromium did not get past the challenge either"
        lines.append(
            f"{name}: answered with a JavaScript challenge ({state.switched_by}); continued through chromium for this run: {rendered} page(s) rendered, {cookies}"
        )
    elif state.scripted_lists:
        lines.append(
            f"{name}: no news list in its pages over plain HTTP; surveyed again through chromium "
            f"(lists drawn by scripts) and continued so for this run: {rendered} page(s) rendered"
        )
    elif state.mode == "browser" and rendered:
        lines.append(f'{name}: rendered with chromium (render = "browser"): {rendered} page(s)')
    if state.missing:
        lines.append(f"{name}: the site needs a browser for its JavaScript challenge, but {state.missing}: {INSTALL_HINT}")
    return lines


def missing_browser_line(crawlers) -> str | None:
    """The one line the CLI ends with when a site needed chromium and it was not there."""
    for crawler in crawlers:
        state = _states.get(crawler)
        if state is not None and state.missing:
            return f"{state.missing}, and a site answers with a JavaScript challenge: {INSTALL_HINT}"
    return None
