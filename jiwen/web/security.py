"""What every response of `jiwen serve` carries for safety: the content security policies and the
headers that keep the archive's pages from being framed or sniffed; and the Host check that keeps
another web site from reading the archive through DNS rebinding."""

from __future__ import annotations

# Every page: only the app's own scripts, styles and images; no plugins, no framing by others.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
)
# The archived page shown in /raw's frame: a sandbox with no scripts and nothing loaded from anywhere.
RAW_FRAME_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "SAMEORIGIN",
}

# The names a browser on this machine uses for a loopback server.
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def allowed_hosts(host: str, port: int, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """The Host header values `jiwen serve` answers: the address it is bound to (and, on loopback,
    every loopback name) with its port, plus the `--allow-host` names a reverse proxy sends (with
    or without a port). Lower case: host names are case-insensitive."""
    bound = f"[{host}]" if ":" in host else host
    names = {bound, *LOOPBACK_NAMES} if host in ("127.0.0.1", "localhost", "::1") else {bound}
    allowed = {f"{name}:{port}" for name in names}
    if port == 80:
        allowed |= names  # a browser leaves out the default port
    return frozenset(value.lower() for value in allowed | set(extra))


class HostCheck:
    """ASGI middleware: 403 for a request whose Host is not one this server was started for. A page
    on evil.example whose name is rebound to 127.0.0.1 sends `Host: evil.example`; without this
    check its scripts could read the whole archive, privately ingested files included."""

    def __init__(self, app, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1").strip().lower()
        if host in self.allowed or host.rsplit(":", 1)[0] in self.allowed:
            return await self.app(scope, receive, send)
        body = b"403 Forbidden: unknown Host header; start jiwen serve with --allow-host NAME for a proxy\n"
        await send({
            "type": "http.response.start", "status": 403,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """ASGI middleware: the CSP and friends on every response that does not set its own."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
