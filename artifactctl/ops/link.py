"""``link`` and ``unlink``: promote source versions into portfolios, and take them out again.

A link copies no bytes: it is a row saying "``PORTFOLIO:vK`` is ``SOURCE:vN``", with its own
version number, the portfolio's own aliases and ``latest``, the time and the run that linked it.
Everything runs in one catalog transaction per call (version numbers and alias moves are decided
under the write lock, so two writers can never hand out the same ``vK``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from artifactctl.catalog import links as lq
from artifactctl.catalog import versions as q
from artifactctl.catalog.links import LinkRow
from artifactctl.core.names import check_alias, check_name, check_portfolio
from artifactctl.core.spec import parse_spec
from artifactctl.core.timefmt import iso
from artifactctl.errors import ConflictError, NotFoundError, UsageError
from artifactctl.ops.linkspec import resolve_link
from artifactctl.ops.resolve import resolve
from artifactctl.store import Store

MODEL_REGISTRY = "model-registry"


@dataclass(slots=True)
class LinkResult:
    link: LinkRow
    created: bool
    portfolio_created: bool
    type: str
    digest: str
    aliases_set: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        doc = self.link.to_json()
        doc.update(
            {
                "created": self.created,
                "portfolio_created": self.portfolio_created,
                "type": self.type,
                "digest": self.digest,
                "aliases_set": list(self.aliases_set),
            }
        )
        return doc


@dataclass(slots=True)
class UnlinkResult:
    unlinked: list[LinkRow]
    latest_moved_to: dict[str, str | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "unlinked": [m.to_json() for m in self.unlinked],
            "latest": dict(self.latest_moved_to),
        }


def check_aliases(aliases: list[str]) -> list[str]:
    out = list(dict.fromkeys(aliases))
    for a in out:
        if a == "latest":
            raise UsageError(
                "'latest' is moved by artifactctl itself; it cannot be given",
                hint="the newest link of a portfolio is its latest",
            )
        check_alias(a)
    return out


def link(
    store: Store,
    spec: str,
    portfolio: str,
    *,
    aliases: list[str] | None = None,
    type_mismatch_ok: bool = False,
    run_id: str | None = None,
) -> LinkResult:
    """Link the committed version ``spec`` names into ``portfolio`` (created on first link).

    A spec that names a link links its source. Linking a source that is already a member
    returns that member (and applies ``aliases`` to it) instead of making a duplicate.
    """
    check_portfolio(portfolio)
    wanted = check_aliases(aliases or [])
    source = resolve(store, spec)
    cat = store.catalog
    now = iso(store.now())
    with cat.write(durable=store.durable):
        current = q.version_by_id(cat, source.id)
        if current is None or current.state != q.COMMITTED:
            raise NotFoundError(f"{source.label} is no longer committed")
        existing_art = q.get_artifact(cat, portfolio)
        if existing_art is not None and existing_art.kind != lq.PORTFOLIO:
            raise ConflictError(
                f"{portfolio!r} is an artifact, not a portfolio",
                hint="link into another name, e.g. model-registry/" + portfolio,
            )
        if existing_art is not None and existing_art.type != source.type and not type_mismatch_ok:
            raise ConflictError(
                f"portfolio {portfolio!r} holds {existing_art.type!r} versions, and "
                f"{source.label} is a {source.type!r}",
                hint="link it into a portfolio of its type, or pass --type-mismatch-ok",
            )
        port = q.ensure_artifact(
            cat,
            portfolio,
            existing_art.type if existing_art else source.type,
            now,
            kind=lq.PORTFOLIO,
        )
        found = lq.active_link(cat, port.id, source.id)
        created = found is None
        if created:
            number = q.allocate_number(cat, port.id)
            lq.insert_link(cat, port.id, number, source.id, now, run_id)
            q.set_alias(cat, port.id, "latest", source.id, now, run_id=run_id)
        applied = []
        for alias in wanted:
            if q.alias_target(cat, port.id, alias) != source.id:
                applied.append(alias)
            q.set_alias(cat, port.id, alias, source.id, now, run_id=run_id)
        final = lq.active_link(cat, port.id, source.id)
        assert final is not None
    return LinkResult(
        link=final,
        created=created,
        portfolio_created=existing_art is None,
        type=port.type,
        digest=source.digest,
        aliases_set=applied,
    )


def set_member_alias(
    store: Store,
    member: LinkRow,
    alias: str,
    *,
    check_expected: bool = False,
    expected: int | None = None,
    run_id: str | None = None,
) -> tuple[str | None, bool]:
    """Point the portfolio alias ``alias`` at ``member`` (for ``alias set PORTFOLIO:vK A``).

    With ``check_expected``, a compare-and-swap: the alias must point at member ``vEXPECTED``
    (``None``: be unset) or ConflictError. Returns (previous member label, changed).
    """
    check_aliases([alias])
    cat = store.catalog
    with cat.write(durable=store.durable):
        again = lq.active_link(cat, member.portfolio_id, member.source_version_id)
        if again is None or again.id != member.id:
            raise ConflictError(f"{member.label} was unlinked meanwhile")
        current_source = q.alias_target(cat, member.portfolio_id, alias)
        current = (
            lq.active_link(cat, member.portfolio_id, current_source)
            if current_source is not None
            else None
        )
        previous = current.label if current else None
        if check_expected and (current.number if current else None) != expected:
            raise ConflictError(
                f"{member.portfolio}:{alias} points at {previous or 'nothing'}, not at "
                f"{'v' + str(expected) if expected is not None else 'nothing'} as expected: "
                "another writer moved it",
                hint=f"`artifactctl portfolio show {member.portfolio}`, then retry",
            )
        changed = current_source != member.source_version_id
        q.set_alias(
            cat,
            member.portfolio_id,
            alias,
            member.source_version_id,
            iso(store.now()),
            run_id=run_id,
        )
    return previous, changed


def unlink(store: Store, spec: str, *, run_id: str | None = None) -> UnlinkResult:
    """Remove the member ``PORTFOLIO:vK|ALIAS`` names; the source version is untouched."""
    s = parse_spec(spec)
    if s.alias == "latest" and ":" not in spec:
        raise UsageError(
            f"unlink needs a member: {spec}:vK or {spec}:ALIAS",
            hint=f"`artifactctl portfolio show {spec}` lists the members",
        )
    member = resolve_link(store, s)
    cat = store.catalog
    with cat.write(durable=store.durable):
        again = lq.active_link(cat, member.portfolio_id, member.source_version_id)
        if again is None or again.id != member.id:
            raise ConflictError(f"{member.label} was unlinked meanwhile")
        result = UnlinkResult([again])
        result.latest_moved_to[again.portfolio] = lq.drop_link(
            cat, again, iso(store.now()), run_id=run_id
        )
    return result


def link_model(
    store: Store,
    path: str | os.PathLike[str],
    registered_model_name: str,
    *,
    name: str | None = None,
    aliases: list[str] | None = None,
    run_id: str | None = None,
) -> LinkResult:
    """Put ``path`` as a ``model`` artifact (reusing an identical version), then link it into
    ``model-registry/<registered_model_name>`` (W&B ``Run.link_model``)."""
    from artifactctl.ops.commit import Draft, commit
    from artifactctl.ops.inputs import collect

    check_name(registered_model_name)
    wanted = check_aliases(aliases or [])
    if name is None:
        base = Path(path).name or "model"
        name = f"run-{run_id}-{base}" if run_id else base
    check_name(name)
    files = collect([str(path)])
    draft = Draft(name, "model", files={f.path: f for f in files})
    put_result = commit(store, draft, run_id=run_id, reuse_identical=True)
    return link(
        store,
        put_result.version,
        f"{MODEL_REGISTRY}/{registered_model_name}",
        aliases=wanted,
        run_id=run_id,
    )
