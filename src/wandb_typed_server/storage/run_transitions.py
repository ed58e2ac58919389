"""Which run states ``updateRunState`` may move a run between (W&B's rules).

- to ``pending`` from ``running``, ``failed``, ``crashed`` or ``preempted`` (requeue a run);
- to ``failed`` from ``pending`` or ``running`` (mark a lost run as failed);
- never a sweep's run.

>>> check_transition("running", "failed", sweep_name=None)
>>> check_transition("failed", "failed", sweep_name=None)
Traceback (most recent call last):
...
ValueError: invalid state transition: a run cannot go from 'failed' to 'failed'
"""

from __future__ import annotations

ALLOWED_FROM: dict[str, frozenset[str]] = {
    "pending": frozenset({"running", "failed", "crashed", "preempted"}),
    "failed": frozenset({"pending", "running"}),
}


def check_transition(current: str, target: str, *, sweep_name: str | None) -> None:
    """Raise ``ValueError`` (its message starts with "invalid state transition") unless a run
    in state ``current`` may be moved to ``target``."""
    if target not in ALLOWED_FROM:
        raise ValueError(
            f"invalid state transition: the target state must be one of "
            f"{sorted(ALLOWED_FROM)}, got {target!r}"
        )
    if sweep_name:
        raise ValueError(
            f"invalid state transition: the run belongs to sweep {sweep_name!r}, whose runs' "
            "states cannot be updated"
        )
    if current not in ALLOWED_FROM[target]:
        raise ValueError(
            f"invalid state transition: a run cannot go from {current!r} to {target!r}"
        )
