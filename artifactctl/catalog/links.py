"""Portfolios and their members (links to source versions).

A portfolio is a row of ``artifacts`` with ``kind = 'portfolio'``; its version numbers come from
the same ``last_version`` counter as an artifact's (:func:`versions.allocate_number`), so they are
never reused. A member is a row of ``links``: ``(portfolio, number) → source version``, with the
time and the run that linked it. An unlinked member keeps its row (``unlinked_at`` set) so that
lineage and audits still see it; at most one *active* link per (portfolio, source version).

A portfolio's aliases live in ``aliases`` / ``alias_history`` like an artifact's, keyed by the
portfolio's id and pointing at the *source* version id: the active link of that source in that
portfolio is the member the alias names. So alias moves, their history and ``latest`` use the same
code as artifacts' aliases (:func:`versions.set_alias`), and an alias of a portfolio never shows up
as an alias of the source artifact (the two have different ``artifact_id``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from artifactctl.catalog import lifecycle as lc
from artifactctl.catalog import versions as q
from artifactctl.catalog.db import Catalog
from artifactctl.catalog.rows import ArtifactRow

PORTFOLIO = "portfolio"


@dataclass(slots=True)
class LinkRow:
    """One member of a portfolio, with what it points at."""

    id: int
    portfolio_id: int
    portfolio: str
    number: int
    source_version_id: int
    source_name: str
    source_number: int
    source_state: str
    linked_at: str
    run_id: str | None
    unlinked_at: str | None
    aliases: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.portfolio}:v{self.number}"

    @property
    def source_label(self) -> str:
        return f"{self.source_name}:v{self.source_number}"

    @property
    def active(self) -> bool:
        return self.unlinked_at is None

    def to_json(self) -> dict[str, Any]:
        return {
            "portfolio": self.portfolio,
            "version": self.label,
            "number": self.number,
            "source": self.source_label,
            "source_name": self.source_name,
            "source_number": self.source_number,
            "aliases": list(self.aliases),
            "linked_at": self.linked_at,
            "run_id": self.run_id,
            "unlinked_at": self.unlinked_at,
        }


_LINK_SELECT = (
    "SELECT l.id, l.portfolio_id, p.name, l.number, l.source_version_id, a.name, v.number,"
    " v.state, l.linked_at, l.run_id, l.unlinked_at"
    " FROM links l JOIN artifacts p ON p.id = l.portfolio_id"
    " JOIN versions v ON v.id = l.source_version_id JOIN artifacts a ON a.id = v.artifact_id"
)


def _links(cat: Catalog, where: str, params: tuple[object, ...]) -> list[LinkRow]:
    rows = [LinkRow(*r) for r in cat.all(f"{_LINK_SELECT} WHERE {where}", params)]  # type: ignore[arg-type]
    for link in rows:
        if link.active:
            link.aliases = portfolio_aliases_of(cat, link.portfolio_id, link.source_version_id)
    return rows


def portfolio_aliases_of(cat: Catalog, portfolio_id: int, source_version_id: int) -> list[str]:
    names = [
        str(r[0])
        for r in cat.all(
            "SELECT alias FROM aliases WHERE artifact_id = ? AND version_id = ? ORDER BY alias",
            (portfolio_id, source_version_id),
        )
    ]
    if "latest" in names:
        names.remove("latest")
        names.insert(0, "latest")
    return names


# -- portfolios ----------------------------------------------------------------------------------


def get_portfolio(cat: Catalog, name: str) -> ArtifactRow | None:
    art = q.get_artifact(cat, name)
    return art if art is not None and art.kind == PORTFOLIO else None


def list_portfolios(cat: Catalog, registry: str | None = None) -> list[dict[str, Any]]:
    where, params = "p.kind = ?", (PORTFOLIO,)
    if registry is not None:
        where += " AND substr(p.name, 1, length(?) + 1) = ? || '/'"
        params = (PORTFOLIO, registry, registry)  # type: ignore[assignment]
    rows = cat.all(
        "SELECT p.name, p.type, p.created_at,"
        " (SELECT count(*) FROM links l WHERE l.portfolio_id = p.id AND l.unlinked_at IS NULL),"
        " (SELECT l.number FROM aliases al JOIN links l ON l.portfolio_id = al.artifact_id"
        "   AND l.source_version_id = al.version_id AND l.unlinked_at IS NULL"
        "   WHERE al.artifact_id = p.id AND al.alias = 'latest')"
        f" FROM artifacts p WHERE {where} ORDER BY p.name",
        params,
    )
    out = []
    for name, type_, created_at, members, latest in rows:
        registry_name, _, short_name = str(name).rpartition("/")
        out.append(
            {
                "name": name,
                "registry": registry_name or None,
                "collection": short_name,
                "type": type_,
                "created_at": created_at,
                "members": members,
                "latest": f"{name}:v{latest}" if latest is not None else None,
            }
        )
    return out


# -- members -------------------------------------------------------------------------------------


def members(cat: Catalog, portfolio_id: int, *, include_unlinked: bool = False) -> list[LinkRow]:
    where = "l.portfolio_id = ?"
    if not include_unlinked:
        where += " AND l.unlinked_at IS NULL"
    return _links(cat, where + " ORDER BY l.number", (portfolio_id,))


def member_by_number(cat: Catalog, portfolio_id: int, number: int) -> LinkRow | None:
    found = _links(
        cat, "l.portfolio_id = ? AND l.number = ? AND l.unlinked_at IS NULL", (portfolio_id, number)
    )
    return found[0] if found else None


def member_by_alias(cat: Catalog, portfolio_id: int, alias: str) -> LinkRow | None:
    target = q.alias_target(cat, portfolio_id, alias)
    if target is None:
        return None
    return active_link(cat, portfolio_id, target)


def members_by_digest_prefix(cat: Catalog, portfolio_id: int, prefix: str) -> list[LinkRow]:
    like = prefix.replace("%", "").replace("_", "") + "%"
    return _links(
        cat,
        "l.portfolio_id = ? AND l.unlinked_at IS NULL"
        " AND substr(v.digest, instr(v.digest, ':') + 1) LIKE ? ORDER BY l.number",
        (portfolio_id, like),
    )


def active_link(cat: Catalog, portfolio_id: int, source_version_id: int) -> LinkRow | None:
    found = _links(
        cat,
        "l.portfolio_id = ? AND l.source_version_id = ? AND l.unlinked_at IS NULL",
        (portfolio_id, source_version_id),
    )
    return found[0] if found else None


def link_by_id(cat: Catalog, link_id: int) -> LinkRow | None:
    found = _links(cat, "l.id = ?", (link_id,))
    return found[0] if found else None


def links_of_source(cat: Catalog, source_version_id: int) -> list[LinkRow]:
    """Every portfolio membership of a source version (``linked_artifacts``)."""
    return _links(
        cat,
        "l.source_version_id = ? AND l.unlinked_at IS NULL ORDER BY p.name, l.number",
        (source_version_id,),
    )


def link_reasons(cat: Catalog, version_id: int) -> list[str]:
    """Why a version must not be deleted by gc / keep: the portfolios it is linked into."""
    return [
        f"linked into portfolio {link.portfolio} as {link.label}"
        for link in links_of_source(cat, version_id)
    ]


def links_for_versions(cat: Catalog, version_ids: list[int]) -> dict[int, list[LinkRow]]:
    """Active links of many source versions at once (for lineage graphs): id → links."""
    out: dict[int, list[LinkRow]] = {}
    for start in range(0, len(version_ids), 500):
        chunk = tuple(version_ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for link in _links(
            cat, f"l.source_version_id IN ({marks}) AND l.unlinked_at IS NULL", chunk
        ):
            out.setdefault(link.source_version_id, []).append(link)
    return out


def links_by_run(cat: Catalog, run_id: str) -> list[LinkRow]:
    """Links a run made (lineage: the run that promoted a version), unlinked ones included."""
    return _links(cat, "l.run_id = ? ORDER BY l.linked_at, l.id", (run_id,))


def insert_link(
    cat: Catalog,
    portfolio_id: int,
    number: int,
    source_version_id: int,
    now: str,
    run_id: str | None,
) -> int:
    cur = cat.exec(
        "INSERT INTO links (portfolio_id, number, source_version_id, linked_at, run_id)"
        " VALUES (?, ?, ?, ?, ?)",
        (portfolio_id, number, source_version_id, now, run_id),
    )
    return int(cur.lastrowid or 0)


def mark_unlinked(cat: Catalog, link_id: int, now: str, run_id: str | None) -> None:
    cat.exec(
        "UPDATE links SET unlinked_at = ?, unlinked_run_id = ? WHERE id = ?",
        (now, run_id, link_id),
    )


def newest_active_source(cat: Catalog, portfolio_id: int) -> int | None:
    row = cat.one(
        "SELECT source_version_id FROM links WHERE portfolio_id = ? AND unlinked_at IS NULL"
        " ORDER BY number DESC LIMIT 1",
        (portfolio_id,),
    )
    return int(row[0]) if row else None  # type: ignore[call-overload]


def drop_link(cat: Catalog, member: LinkRow, now: str, *, run_id: str | None = None) -> str | None:
    """Unlink ``member`` (inside the caller's transaction): mark it unlinked, remove the
    portfolio's aliases on it (with history), move the portfolio's ``latest`` to the newest
    remaining member. Returns that member's label (None: the portfolio is empty)."""
    mark_unlinked(cat, member.id, now, run_id)
    for alias in portfolio_aliases_of(cat, member.portfolio_id, member.source_version_id):
        lc.remove_alias(cat, member.portfolio_id, alias, now, run_id=run_id)
    newest = newest_active_source(cat, member.portfolio_id)
    if newest is None:
        return None
    q.set_alias(cat, member.portfolio_id, "latest", newest, now, run_id=run_id)
    moved = active_link(cat, member.portfolio_id, newest)
    return moved.label if moved else None


def unlink_everywhere(
    cat: Catalog, version_id: int, now: str, *, run_id: str | None = None
) -> list[LinkRow]:
    """Unlink a source version from every portfolio (before it is deleted); returns the links."""
    removed = links_of_source(cat, version_id)
    for member in removed:
        drop_link(cat, member, now, run_id=run_id)
    return removed
