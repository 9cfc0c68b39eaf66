"""Turning reference requests (URIs) into manifest entries: list in bulk, pin, derive digests.

Entry paths: a URI naming one object lands at its basename (or the given name); a prefix or
directory expands to one entry per object, at its path relative to the prefix (under the given
name, if any). ``checksum=False`` records the URI alone, without touching the object.
"""

from __future__ import annotations

from typing import Any

from artifactctl.catalog import versions as q
from artifactctl.core.manifest import Entry
from artifactctl.core.paths import join_prefix, normalize_entry_path
from artifactctl.core.refs import (
    RefRequest,
    check_max_objects,
    looks_like_uri,
    make_ref,
    parse_ref_uri,
    redact,
    ref_digest,
)
from artifactctl.errors import UsageError
from artifactctl.refs import Handlers, RefOptions
from artifactctl.store import Store


def ref_options(store: Store) -> RefOptions:
    return RefOptions.from_settings(store.algorithm, store.config.settings)


def split_inputs(paths: list[str]) -> tuple[list[str], list[str]]:
    """(local paths, URIs) from put's arguments, in their order."""
    local = [p for p in paths if not looks_like_uri(p)]
    uris = [p for p in paths if looks_like_uri(p)]
    return local, uris


def _entry_path(text: str, uri: str) -> str:
    try:
        return normalize_entry_path(text)
    except UsageError as exc:
        raise UsageError(
            f"{redact(uri)} maps to an invalid entry path: {exc.message}",
            hint="give it a name with --ref-name NAME=URI",
        ) from None


def _previous_file_refs(store: Store, name: str) -> dict[str, dict[str, Any]]:
    """file:// refs of the artifact's latest version, by URI (to skip re-hashing unchanged
    files and to keep a touched-but-identical file's pin, so the digest does not move)."""
    cat = store.catalog
    with cat.read():
        art = q.get_artifact(cat, name)
        latest = q.latest_committed(cat, art.id) if art else None
    if latest is None:
        return {}
    return {
        e.ref["uri"]: e.ref
        for e in store.read_manifest(latest.digest).entries
        if e.ref and str(e.ref.get("uri", "")).startswith("file://") and e.ref.get("pinned")
    }


def reference_entries(
    store: Store, requests: list[RefRequest], *, artifact: str | None = None
) -> dict[str, Entry]:
    """Entry path → reference Entry for every request (listing each prefix once)."""
    options = ref_options(store)
    handlers = Handlers(options)
    previous = _previous_file_refs(store, artifact) if artifact else {}
    out: dict[str, Entry] = {}

    def add(path: str, ref: dict[str, Any], size: int) -> None:
        if path in out:
            first = (out[path].ref or {}).get("uri", "")
            raise UsageError(
                f"two references map to the entry path {path!r}: "
                f"{redact(first)} and {redact(ref['uri'])}",
                hint="place one elsewhere with --ref-name NAME=URI",
            )
        out[path] = Entry(path, ref_digest(store.algorithm, ref), size, ref)

    for req in requests:
        parsed = parse_ref_uri(req.uri)
        limit = check_max_objects(req.max_objects)
        if not req.checksum:
            name = req.name or parsed.basename
            path = _entry_path(join_prefix(req.prefix, name), parsed.uri)
            extra = {"prefix": True} if parsed.is_prefix else {}
            add(path, make_ref(parsed.uri, extra, pinned=False), 0)
            continue
        handler = handlers.for_uri(parsed.uri)
        for obj in handler.list_objects(parsed, limit):
            if obj.rel:
                rel = f"{req.name.rstrip('/')}/{obj.rel}" if req.name else obj.rel
            else:
                rel = req.name or parsed.basename
            path = _entry_path(join_prefix(req.prefix, rel), obj.uri)
            pin = obj.pin
            old = previous.get(obj.uri)
            ref = old if old and _same_file(old, pin) else make_ref(obj.uri, pin)
            add(path, ref, obj.size)
    return out


def _same_file(old: dict[str, Any], pin: dict[str, Any]) -> bool:
    return old.get("size") == pin.get("size") and old.get("content_digest") == pin.get(
        "content_digest"
    )


def resolve_draft_references(store: Store, draft: Any) -> None:
    """Expand ``draft.references`` into ``draft.entries`` (called by commit, once)."""
    if not draft.references:
        return
    entries = reference_entries(store, list(draft.references), artifact=draft.name)
    for path in entries:
        if path in draft.files or path in draft.entries:
            raise UsageError(
                f"entry path {path!r} is given twice (a file and a reference)",
                hint="place the reference elsewhere with --ref-name NAME=URI",
            )
    draft.entries.update(entries)
    draft.references = []


__all__ = ["reference_entries", "resolve_draft_references", "split_inputs"]
