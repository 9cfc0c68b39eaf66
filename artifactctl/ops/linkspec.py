"""Resolving portfolio specifiers (``registry/name:vK``, ``registry/name:alias``) to members.

:func:`artifactctl.ops.resolve.resolve` calls :func:`resolve_in_portfolio` when a spec names a
portfolio, so that every command taking a SPEC (get, verify, files, show, lineage, …) reads the
source version a link points at; the returned row carries the link in ``row.link``.
"""

from __future__ import annotations

from artifactctl.catalog import links as lq
from artifactctl.catalog import versions as q
from artifactctl.catalog.db import Catalog
from artifactctl.catalog.links import LinkRow
from artifactctl.catalog.rows import ArtifactRow, VersionRow
from artifactctl.core.spec import Spec, parse_spec
from artifactctl.errors import NotFoundError, UsageError
from artifactctl.ops.resolve import pick
from artifactctl.store import Store


def member(cat: Catalog, portfolio: ArtifactRow, s: Spec) -> LinkRow:
    """The active member of ``portfolio`` that ``s`` names, or NotFoundError saying what exists."""
    return pick(
        s,
        by_number=lambda n: lq.member_by_number(cat, portfolio.id, n),
        by_digest_prefix=lambda p: lq.members_by_digest_prefix(cat, portfolio.id, p),
        by_alias=lambda a: lq.member_by_alias(cat, portfolio.id, a),
        what=f"portfolio {portfolio.name!r}",
        absent=f"is not a member of portfolio {portfolio.name!r}",
        existing=lambda: _existing(cat, portfolio),
        hint=f"`artifactctl portfolio show {portfolio.name}` lists its members and aliases",
    )


def resolve_in_portfolio(store: Store, portfolio: ArtifactRow, s: Spec) -> VersionRow:
    """The source version behind a portfolio spec, with ``.link`` set to the member."""
    cat = store.catalog
    with cat.read():
        link = member(cat, portfolio, s)
        source = q.version_by_id(cat, link.source_version_id)
    if source is None or source.state != q.COMMITTED:
        raise NotFoundError(
            f"{link.label} links to {link.source_label}, which is no longer committed",
            hint=f"`artifactctl unlink {link.label}` removes the dangling link",
        )
    source.link = link
    return source


def resolve_link(store: Store, spec: str | Spec) -> LinkRow:
    """The member a portfolio spec names (UsageError if the name is not a portfolio)."""
    s = parse_spec(spec) if isinstance(spec, str) else spec
    cat = store.catalog
    with cat.read():
        art = q.get_artifact(cat, s.name)
        if art is None or art.kind != lq.PORTFOLIO:
            if art is None:
                raise NotFoundError(
                    f"no portfolio named {s.name!r}",
                    hint="`artifactctl portfolio ls` lists the portfolios",
                )
            raise UsageError(
                f"{s} is not a link: {s.name!r} is an artifact, not a portfolio",
                hint="unlink takes PORTFOLIO:vK or PORTFOLIO:ALIAS",
            )
        return member(cat, art, s)


def _existing(cat: Catalog, portfolio: ArtifactRow) -> str:
    current = lq.members(cat, portfolio.id)
    if not current:
        return f" ({portfolio.name!r} has no members)"
    shown = ", ".join(f"v{m.number}" for m in current[-5:])
    return f" (it has {len(current)} member(s), the newest: {shown})"
