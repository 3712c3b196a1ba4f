"""Bytes -> text without silent mojibake.

Order of trust: a BOM; then strict UTF-8 (valid multi-byte UTF-8 almost never happens by accident,
and many Chinese pages declare gb2312 while serving UTF-8); then the charset the HTTP header or the
page's <meta> declares, if the bytes decode cleanly under it; then charset-normalizer's guess.
GBK and GB2312 are decoded as their superset GB18030, Big5 as Big5-HKSCS. Anything less than a
clean decode is reported in `warnings`.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

import charset_normalizer

from jiwen.errors import ExtractionError

# Superset codecs: pages that declare the narrow charset routinely use characters of the wider one.
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "cp936": "gb18030",
    "big5": "big5hkscs", "cp950": "big5hkscs", "big5hkscs": "big5hkscs",
    "ascii": "utf-8", "utf-8": "utf-8", "latin-1": "cp1252", "iso8859-1": "cp1252",
}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
# Share of replaced bytes below which a declared or detected charset is still trusted (with a warning).
_TOLERATED_ERRORS = 0.002
_SNIFF_BYTES = 4096


@dataclass
class DecodedText:
    text: str
    encoding: str
    declared: str | None = None
    warnings: list[str] = field(default_factory=list)


def canonical_codec(label: str | None) -> str | None:
    """The Python codec jiwen decodes a charset label with, or None when Python does not know it."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset the HTTP header declares, else the first <meta> charset of the page."""
    if content_type:
        found = _HEADER_CHARSET.search(content_type)
        if found and canonical_codec(found.group(1)):
            return found.group(1).lower()
    found = _META_CHARSET.search(data[:32768])
    if found:
        return found.group(1).decode("ascii", "replace").lower()
    return None


def looks_binary(data: bytes) -> bool:
    sample = data[:_SNIFF_BYTES]
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32 and byte != 27)
    return controls > len(sample) * 0.05


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _replacement_share(data: bytes, codec: str) -> tuple[str, float]:
    text = data.decode(codec, errors="replace")
    # Count only new U+FFFD characters, not ones the page itself carried.
    errors = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    return text, max(errors, 0) / max(len(data), 1)


def decode_bytes(data: bytes, content_type: str | None = None) -> DecodedText:
    """Decode page bytes; raise ExtractionError for binary input."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return DecodedText(data.decode(codec, errors="replace"), codec.replace("-sig", ""), None)
    if looks_binary(data):
        raise ExtractionError("input looks binary (NUL or control bytes), not a text or HTML page; pass the page's HTML or a text dump")
    label = declared_charset(data, content_type)
    declared = canonical_codec(label)
    text = _strict(data, "utf-8")
    if text is not None:
        return DecodedText(text, "utf-8", label)
    if declared and declared != "utf-8":
        text = _strict(data, declared)
        if text is not None:
            return DecodedText(text, declared, label)
    return _decode_doubtful(data, label, declared)


def _decode_doubtful(data: bytes, label: str | None, declared: str | None) -> DecodedText:
    """No charset decodes the bytes cleanly: pick the least damaged reading and say so."""
    guess = charset_normalizer.from_bytes(data[:200_000]).best()
    guessed = canonical_codec(guess.encoding) if guess else None
    candidates = [codec for codec in (declared, guessed, "utf-8", "gb18030", "big5hkscs") if codec]
    best_text, best_codec, best_share = "", "utf-8", 2.0
    for codec in dict.fromkeys(candidates):
        text, share = _replacement_share(data, codec)
        if share < best_share:
            best_text, best_codec, best_share = text, codec, share
    warnings = []
    if best_share > 0:
        replaced = round(best_share * len(data))
        warnings.append(f"doubtful decoding: {replaced} undecodable byte(s) replaced while reading as {best_codec}")
    if best_share > _TOLERATED_ERRORS:
        warnings.append(f"doubtful decoding: declared charset {label or 'none'}, detected {guess.encoding if guess else 'nothing'}; text may be garbled")
    elif declared and best_codec != declared:
        warnings.append(f"declared charset {label} does not fit the bytes; read as {best_codec}")
    return DecodedText(best_text, best_codec, label, warnings)
