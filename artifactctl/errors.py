"""The one exception root of artifactctl and its exit codes.

Every expected failure raises a subclass of :class:`ArtifactctlError`. Each class carries the
process exit code the CLI uses for it; the table lives here, in one place, and is documented in
``docs/exit-codes.md``. Messages say what happened and what to do next.
"""

from __future__ import annotations


class ArtifactctlError(Exception):
    """Root of every error artifactctl raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class UsageError(ArtifactctlError):
    """Invalid input: a bad name, path, spec, option value or JSON document."""

    exit_code = 2


class PartialError(ArtifactctlError):
    """The command did part of its work; the message lists what was skipped."""

    exit_code = 3


class NotFoundError(ArtifactctlError):
    """An artifact, version, alias, entry or store that does not exist."""

    exit_code = 4


class ConflictError(ArtifactctlError):
    """The operation conflicts with existing state (re-init, occupied target, moved alias)."""

    exit_code = 5


class IntegrityError(ArtifactctlError):
    """Bytes do not match their digest, or the store is damaged."""

    exit_code = 6


class StorageError(ArtifactctlError):
    """The file system or an object store failed (permissions, full disk, unreachable)."""

    exit_code = 7


class MissingDependencyError(ArtifactctlError):
    """An optional extra is needed for this operation."""

    exit_code = 8


class LockTimeoutError(ArtifactctlError):
    """Another writer held the catalog longer than the lock timeout."""

    exit_code = 11


class InterruptedByUser(ArtifactctlError):
    """Ctrl-C."""

    exit_code = 130


#: Every exit code artifactctl uses, with its meaning (rendered into docs/exit-codes.md by a test).
EXIT_CODES: dict[int, str] = {
    0: "success (including `put` of unchanged content, reported as unchanged)",
    1: "error not covered below",
    2: "usage error or invalid input (bad name, path, spec, option, JSON)",
    3: "partial success: some items were skipped, the output lists them",
    4: "not found (artifact, version, alias, entry, store)",
    5: "conflict (store exists, target file differs, alias moved meanwhile)",
    6: "integrity failure (digest mismatch, missing blob, damaged store)",
    7: "storage failure (permissions, disk full, object store unreachable)",
    8: "a missing optional dependency (the message names the pip extra)",
    11: "timed out waiting for another writer's lock on the catalog",
    130: "interrupted (Ctrl-C)",
}
