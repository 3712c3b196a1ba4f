"""Near-duplicate fingerprints: a 64-bit SimHash of the normalized body.

Republished copies of one story differ in a headline word, a credit line or a sidebar remnant;
their SimHashes differ in a few bits, which the store looks up with banded indexes.
Written here rather than taken from the `simhash` package (unreleased since 2022, pure-Python
tokenization we would replace anyway): what matters is the shingling, which must suit Chinese text
(character 4-grams: no segmentation needed, robust to segmentation differences).
"""

from __future__ import annotations

import hashlib
import re

import numpy

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
SHINGLE = 4


def simhash(text: str) -> int | None:
    """64-bit SimHash over character shingles; None for texts too short to compare."""
    compact = _NOISE.sub("", text)
    if len(compact) < 2 * SHINGLE:
        return None
    shingles = {compact[i : i + SHINGLE] for i in range(len(compact) - SHINGLE + 1)}
    hashes = numpy.fromiter(
        (hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in shingles),
        dtype="S8",
        count=len(shingles),
    )
    # One row of 64 bits per shingle; a bit of the fingerprint is set where most shingles set it.
    bits = numpy.unpackbits(hashes.view(numpy.uint8).reshape(-1, 8), axis=1)
    majority = bits.sum(axis=0) * 2 > len(shingles)
    return int.from_bytes(numpy.packbits(majority).tobytes(), "big")


def hamming_distance(left: int, right: int) -> int:
    return bin(left ^ right).count("1")
