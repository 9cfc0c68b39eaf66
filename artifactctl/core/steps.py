"""W&B's history-step semantics, as a pure state machine.

* ``log(data)``: data goes to the current step, which is then committed; the step advances.
* ``log(data, commit=False)``: data accumulates in the current step; a later commit writes it.
* ``log(data, step=N)``: N must not be below the current step. N above it commits what is
  pending and moves to N. With an explicit step, ``commit`` defaults to False (the step stays
  open until a higher step, ``commit=True`` or the end of the run).
* A step below the current one is refused: the data is dropped and a warning says so (as W&B
  does), so nothing already written is ever changed.
* Within one step, a key logged twice keeps the later value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from artifactctl.errors import UsageError

Row = tuple[int, dict[str, Any]]


@dataclass(slots=True)
class StepOutcome:
    committed: list[Row] = field(default_factory=list)
    dropped: str | None = None  # the warning, when the data was dropped


@dataclass(slots=True)
class StepState:
    step: int = 0
    pending: dict[str, Any] = field(default_factory=dict)

    def log(
        self, data: dict[str, Any], step: int | None = None, commit: bool | None = None
    ) -> StepOutcome:
        out = StepOutcome()
        if step is not None:
            if isinstance(step, bool) or not isinstance(step, int) or step < 0:
                raise UsageError(f"step must be a non-negative int, not {step!r}")
            if step < self.step:
                out.dropped = (
                    f"tried to log to step {step}, which is less than the current step "
                    f"{self.step}; steps must increase, so this data was dropped: "
                    f"{', '.join(sorted(data)) or '(no keys)'}"
                )
                return out
            if step > self.step:
                if self.pending:
                    out.committed.append((self.step, self.pending))
                    self.pending = {}
                self.step = step
            if commit is None:
                commit = False
        elif commit is None:
            commit = True
        self.pending.update(data)
        if commit:
            out.committed.append((self.step, self.pending))
            self.pending = {}
            self.step += 1
        return out

    def finish(self) -> list[Row]:
        """Commit what is pending (the run is ending)."""
        if not self.pending:
            return []
        row = (self.step, self.pending)
        self.pending = {}
        self.step += 1
        return [row]
