"""The pack index: which blob rows live in which pack file, at which offset (blobs/packs.py).

A blob row with ``pack`` NULL is a loose file ``blobs/ab/cdef…``; with ``pack`` set, its bytes
are ``size`` bytes at ``pack_offset`` in ``packs/<pack>.pack``. ``get --link hardlink|symlink``
gives a packed blob a loose file and then sets its ``pack`` to NULL (:func:`make_loose`).
"""

from __future__ import annotations

from collections.abc import Iterable

from artifactctl.catalog import blobrefs
from artifactctl.catalog.db import Catalog

Location = tuple[str, int, int]  # pack id, offset, size


class PackIndex:
    """The catalog as the blob store's index (structurally ``blobs.store.BlobIndex``)."""

    def __init__(self, cat: Catalog) -> None:
        self.cat = cat

    def known(self, digests: Iterable[str]) -> set[str]:
        return blobrefs.known_digests(self.cat, digests)

    def locate(self, digests: Iterable[str]) -> dict[str, Location]:
        return locate(self.cat, digests)


def locate(cat: Catalog, digests: Iterable[str]) -> dict[str, Location]:
    """Pack locations of those of ``digests`` that are packed (loose ones are left out)."""
    rows = cat.all_in(
        "SELECT digest, pack, pack_offset, size FROM blobs"
        " WHERE pack IS NOT NULL AND digest IN ({marks})",
        dict.fromkeys(digests),
    )
    return {str(d): (str(p), int(o), int(s)) for d, p, o, s in rows}  # type: ignore[call-overload]


def packed_blobs(cat: Catalog) -> list[tuple[str, str, int, int]]:
    """Every packed blob row as (digest, pack, offset, size), by pack and offset."""
    rows = cat.all(
        "SELECT digest, pack, pack_offset, size FROM blobs WHERE pack IS NOT NULL"
        " ORDER BY pack, pack_offset"
    )
    return [(str(d), str(p), int(o), int(s)) for d, p, o, s in rows]  # type: ignore[call-overload]


def usage(cat: Catalog) -> dict[str, tuple[int, int]]:
    """Pack id → (blob rows in it, their bytes)."""
    rows = cat.all(
        "SELECT pack, count(*), coalesce(sum(size), 0) FROM blobs WHERE pack IS NOT NULL"
        " GROUP BY pack"
    )
    return {str(p): (int(n), int(b)) for p, n, b in rows}  # type: ignore[call-overload]


def members(cat: Catalog, pack: str) -> list[tuple[str, int, int]]:
    """The blob rows in ``pack`` as (digest, offset, size), by offset."""
    rows = cat.all(
        "SELECT digest, pack_offset, size FROM blobs WHERE pack = ? ORDER BY pack_offset", (pack,)
    )
    return [(str(d), int(o), int(s)) for d, o, s in rows]  # type: ignore[call-overload]


def move(cat: Catalog, old_pack: str, moves: list[tuple[str, str, int]]) -> None:
    """Point rows at their new place, (digest, new pack, new offset), where they are still in
    ``old_pack``."""
    cat.many(
        "UPDATE blobs SET pack = ?, pack_offset = ? WHERE digest = ? AND pack = ?",
        [(p, o, d, old_pack) for d, p, o in moves],
    )


def make_loose(cat: Catalog, digests: Iterable[str]) -> None:
    """Rows whose bytes are now (also) a loose file and no longer needed in their pack."""
    cat.many(
        "UPDATE blobs SET pack = NULL, pack_offset = NULL WHERE digest = ?", [(d,) for d in digests]
    )
