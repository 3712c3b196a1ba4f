"""What every response of `jiwen serve` carries for safety: the content security policies and the
headers that keep the archive's pages from being framed or sniffed."""

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
