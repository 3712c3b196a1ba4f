"""Text from pages and users made safe for a terminal: escape sequences and control characters
dropped (a page title must not retitle the window or clear the screen), JSON escaped losslessly.
Used by every output that reaches a terminal: the CLI's formatting, the log, exports to stdout."""

from __future__ import annotations

import io
import re

# Escape sequences as terminals parse them (ECMA-48): CSI (ESC [ or 8-bit 0x9b) with its parameters;
# OSC, DCS, SOS, PM, APC (ESC ] P X ^ _, or 8-bit) up to their terminator (BEL or ST) or the next
# ESC; and the other ESC + one-character forms. Dropped whole, so no payload is left as text.
_ESCAPE_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# What is left that a terminal acts on: C0 controls but tab and newline, DEL, C1 controls, and the
# bidirectional overrides and isolates that reorder what is shown (a "Trojan Source" title).
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{_CONTROLS}]")
_LINE_BREAKS = re.compile(r"[\t\n]")


def terminal_safe(text: object, *, multiline: bool = False) -> str:
    """`text` with every escape sequence and control character removed; tabs and newlines become
    spaces unless `multiline`. For one-line fields (titles, URLs, names) and whole messages."""
    cleaned = _CONTROL.sub("", _ESCAPE_SEQUENCES.sub("", str(text)))
    return cleaned if multiline else _LINE_BREAKS.sub(" ", cleaned)


def terminal_safe_json(encoded: str) -> str:
    """JSON for a terminal, losslessly: JSON encoders escape C0 controls but leave DEL, C1 and the
    bidi controls as they are; here they become \\uXXXX escapes, which decode to the same text."""
    return _CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", encoded)


class TerminalSafeStream(io.RawIOBase):
    """A binary stream for export's stdout: JSON lines pass through `terminal_safe_json` (lossless:
    the controls become \\uXXXX escapes), other text (CSV on a terminal) through `terminal_safe`.
    Bytes are decoded incrementally, so a character split between two writes stays whole."""

    def __init__(self, raw, *, lossless_json: bool) -> None:
        import codecs

        super().__init__()
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._clean = terminal_safe_json if lossless_json else (lambda text: terminal_safe(text, multiline=True))

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]  # raw streams here are written bytes only
        text = self._decoder.decode(bytes(data))
        if text:
            self._raw.write(self._clean(text).encode("utf-8"))
        return len(data)

    def flush(self) -> None:
        tail = self._decoder.decode(b"", final=True)
        if tail:
            self._raw.write(self._clean(tail).encode("utf-8"))
        self._raw.flush()
