"""Near-duplicate fingerprints (SimHash) of articles, stored as six indexed bands."""

from __future__ import annotations

from collections.abc import Callable

from jiwen.store.codec import ARTICLE_DECODER
from jiwen.store.connection import Connection


def signed64(value: int) -> int:
    """SQLite integers are signed 64-bit."""
    return value - (1 << 64) if value >= (1 << 63) else value


# Near-duplicate lookup: the 64 fingerprint bits cut into six bands. Two fingerprints within
# NEAR_DUPLICATE_BITS (5) bits agree exactly on at least one band (pigeonhole), so six indexed
# equality lookups find every candidate without scanning the table. Five bits, not three: on
# articles of a few hundred characters an added 记者 credit or 相关阅读 line moves 4-5 bits,
# while unrelated articles stay about 32 bits apart.
BAND_WIDTHS = (11, 11, 11, 11, 10, 10)
NEAR_DUPLICATE_BITS = len(BAND_WIDTHS) - 1


def bands_of(fingerprint: int) -> list[int]:
    bands, shift = [], 0
    for width in BAND_WIDTHS:
        bands.append((fingerprint >> shift) & ((1 << width) - 1))
        shift += width
    return bands


# The originals sharing a band with a fingerprint (its six bands, then the id to leave out).
NEAR_DUPLICATE_CANDIDATES = (
    "SELECT id, fingerprint FROM articles "
    "WHERE (band0 = ? OR band1 = ? OR band2 = ? OR band3 = ? OR band4 = ? OR band5 = ?) "
    "AND id != ? AND duplicate_of IS NULL ORDER BY extracted_at, id"
)


class Fingerprints(Connection):
    """Fingerprint scheme, recomputation and near-duplicate lookup over `articles`."""

    def fingerprint_scheme(self) -> str | None:
        """How the stored near-duplicate fingerprints were computed (see refingerprint)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'fingerprint_scheme'").fetchone()
        return row[0] if row else None

    def refingerprint(self, scheme: str, compute: Callable[[str], int | None], *, chunk: int = 500) -> int:
        """Recompute every article's fingerprint from its stored body with `compute` and record
        `scheme`: fingerprints of two schemes cannot be compared. Returns how many articles."""
        ids = [article_id for (article_id,) in self.db.execute("SELECT id FROM articles ORDER BY id")]
        with self.transaction():
            for start in range(0, len(ids), chunk):
                wanted = ids[start : start + chunk]
                rows = self.db.execute(f"SELECT id, data FROM articles WHERE id IN ({','.join('?' * len(wanted))})", wanted).fetchall()
                updates = []
                for article_id, data in rows:
                    fingerprint = compute(ARTICLE_DECODER.decode(data).body)
                    bands = bands_of(fingerprint) if fingerprint is not None else [None] * len(BAND_WIDTHS)
                    signed = signed64(fingerprint) if fingerprint is not None else None
                    updates.append((signed, *bands, article_id))
                self.db.executemany(
                    """UPDATE articles SET fingerprint = ?, band0 = ?, band1 = ?, band2 = ?, band3 = ?,
                           band4 = ?, band5 = ? WHERE id = ?""",
                    updates,
                )
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('fingerprint_scheme', ?)", (scheme,))
        return len(ids)

    def near_duplicate_of(
        self,
        fingerprint: int,
        *,
        exclude_id: str,
        max_distance: int = NEAR_DUPLICATE_BITS,
        confirm: Callable[[str], bool] | None = None,
    ) -> str | None:
        """The oldest original article whose SimHash is within `max_distance` bits (at most
        NEAR_DUPLICATE_BITS: the bands find no candidates beyond that) and that `confirm` (given
        the candidate's id) accepts."""
        bands = bands_of(fingerprint)
        rows: list[tuple[str, int | None]] = self.db.execute(NEAR_DUPLICATE_CANDIDATES, (*bands, exclude_id)).fetchall()
        for article_id, other in rows:
            close = other is not None and bin((other & 0xFFFFFFFFFFFFFFFF) ^ fingerprint).count("1") <= max_distance
            if close and (confirm is None or confirm(article_id)):
                return article_id
        return None
