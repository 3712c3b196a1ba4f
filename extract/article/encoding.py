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

from jiwen.core.errors import ExtractionError
from jiwen.extract.article import charfreq

# Superset codecs: pages that declare the narrow charset routinely use characters of the wider one.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "ascii": "utf-8",
    "utf-8": "utf-8",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)", re.IGNORECASE)
# Share of replaced bytes below which a declared or detected charset is still trusted (with a warning).
_TOLERATED_ERRORS = 0.002
_SNIFF_BYTES = 4096
# Control bytes text never carries (tab, newlines, form feed and ESC excepted).
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte < 9 or 13 < byte < 32 and byte != 27)
_PLAUSIBILITY_SAMPLE = 20_000
# More replaced-or-rare characters than this share of the text: the reading is probably garbled.
_IMPLAUSIBLE = 0.02


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
    """The charset the HTTP header declares, else the first <meta> charset of the page, else the
    XML declaration's."""
    if content_type:
        found = _HEADER_CHARSET.search(content_type)
        if found and canonical_codec(found.group(1)):
            return found.group(1).lower()
    found = _META_CHARSET.search(data[:32768]) or _XML_ENCODING.search(data[:200])
    if found:
        return found.group(1).decode("ascii", "replace").lower()
    return None


def looks_binary(data: bytes) -> bool:
    """Whether `data` is not text. NUL bytes alone do not decide it: UTF-16 without a byte-order
    mark is half NULs, and pages saved by broken CMS exports carry a few stray ones."""
    sample = data[:_SNIFF_BYTES]
    if b"\x00" in sample:
        if utf16_without_bom(sample):
            return False
        if not _few_nuls(sample):
            return True
        sample = sample.replace(b"\x00", b"")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) * 0.05


def _few_nuls(data: bytes) -> bool:
    """At most one NUL in 500 bytes (and a handful in a short page): stray bytes in a text page,
    not the NUL runs of images, archives and office files."""
    return data.count(b"\x00") <= max(4, len(data) // 500)


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the bytes read as UTF-16 text although no byte-order mark
    says so (Windows tools save pages that way), else None. The bytes must decode strictly and
    into text: ASCII, CJK and their punctuation, not the scattered code points binary data makes."""
    sample = data[: _SNIFF_BYTES & ~1]
    if len(sample) < 8 or b"\x00" not in sample:
        return None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            # The sample may end inside a surrogate pair: one character short is still a reading.
            try:
                text = sample[:-2].decode(codec)
            except UnicodeDecodeError:
                continue
        textual = sum(
            1 for char in text if char in "\t\n\r" or " " <= char <= "~" or "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"
        )
        if text and textual >= len(text) * 0.9:
            return codec
    return None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _replaced(data: bytes, codec: str) -> tuple[str, int]:
    """The text read with replacement, and how many replacements the reading made."""
    text = data.decode(codec, errors="replace")
    # Count only new U+FFFD characters, not ones the page itself carried.
    errors = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    return text, max(errors, 0)


def decode_bytes(data: bytes, content_type: str | None = None) -> DecodedText:
    """Decode page bytes; raise ExtractionError for binary input."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return DecodedText(data.decode(codec, errors="replace"), codec.replace("-sig", ""), None)
    if looks_binary(data):
        raise ExtractionError("input looks binary (NUL or control bytes), not a text or HTML page; pass the page's HTML or a text dump")
    if codec := utf16_without_bom(data):
        return DecodedText(
            data.decode(codec, errors="replace"), codec, None, [f"read as {codec}: the bytes say so, no byte-order mark does"]
        )
    if b"\x00" in data:
        # A few stray NULs (looks_binary let them through): dropped, the page read as if absent.
        decoded = decode_bytes(data.replace(b"\x00", b""), content_type)
        decoded.warnings.append(f"dropped {data.count(0)} NUL bytes")
        return decoded
    label = declared_charset(data, content_type)
    declared = canonical_codec(label)
    text = _strict(data, "utf-8")
    if text is not None:
        return DecodedText(text, "utf-8", label)
    if declared and declared != "utf-8":
        text = _strict(data, declared)
        if text is not None:
            return DecodedText(text, declared, label)
    if declared is None:
        # Undeclared Chinese pages: a clean, plausible GB18030 or Big5 reading needs no detector
        # (Big5 bytes often decode "cleanly" as GB18030 too, into rare characters: hence the check).
        for codec in ("gb18030", "big5hkscs"):
            text = _strict(data, codec)
            if text is not None and _implausibility(text, 0) <= _IMPLAUSIBLE:
                return DecodedText(text, codec, None)
    return _decode_doubtful(data, label, declared)


def _implausibility(text: str, errors: int) -> float:
    """Replaced bytes plus rare Han characters per character of a sample: mojibake (UTF-8 read as
    GB18030, GBK read as Big5) decodes without errors but into characters news never uses."""
    sample = text[:_PLAUSIBILITY_SAMPLE]
    han = [character for character in sample if charfreq.is_han(character)]
    rare = sum(1 for character in han if charfreq.is_rare(character)) if charfreq.available() else 0
    return (errors + rare) / max(len(sample), 1)


def _decode_doubtful(data: bytes, label: str | None, declared: str | None) -> DecodedText:
    """No charset decodes the bytes cleanly: pick the least damaged, most plausible reading and
    say so."""
    guess = charset_normalizer.from_bytes(data[:200_000]).best()
    guessed = canonical_codec(guess.encoding) if guess else None
    candidates = [codec for codec in (declared, guessed, "utf-8", "gb18030", "big5hkscs") if codec]
    best_text, best_codec, best_errors, best_cost = "", "utf-8", 0, float("inf")
    for codec in dict.fromkeys(candidates):
        text, errors = _replaced(data, codec)
        cost = _implausibility(text, errors)
        if cost < best_cost:
            best_text, best_codec, best_errors, best_cost = text, codec, errors, cost
    warnings = []
    if best_errors:
        warnings.append(f"doubtful decoding: {best_errors} undecodable byte(s) replaced while reading as {best_codec}")
    if best_errors > len(data) * _TOLERATED_ERRORS or best_cost > _IMPLAUSIBLE:
        warnings.append(
            f"doubtful decoding: declared charset {label or 'none'}, detected {guess.encoding if guess else 'nothing'}; text may be garbled"
        )
    elif declared and best_codec != declared:
        warnings.append(f"declared charset {label} does not fit the bytes; read as {best_codec}")
    return DecodedText(best_text, best_codec, label, warnings)
