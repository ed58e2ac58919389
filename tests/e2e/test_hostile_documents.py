"""Documents a user hands the client that JSON cannot carry, or that nest without end: a
config, summary or metadata nested 100,000 deep or containing itself is refused with an
:class:`InvalidArgumentError` saying so, never a ``RecursionError``, in both flavours.
(Filters: ``test_runs_filters.py``.)"""

from __future__ import annotations

from typing import Any

import pytest

from wandb_typed.errors import InvalidArgumentError

ENTITY = "admin"
PROJECT = "e2e-hostile-documents"


def deep(depth: int) -> dict[str, object]:
    document: dict[str, object] = {"leaf": 1}
    for _ in range(depth):
        document = {"inner": document}
    return document


def looped() -> dict[str, object]:
    document: dict[str, object] = {"leaf": 1}
    document["again"] = [document]
    return document


@pytest.mark.parametrize(
    ("document", "named"), [(deep(100_000), "nests too deeply"), (looped(), "contains itself")]
)
@pytest.mark.parametrize("where", ["config", "summary"])
def test_a_config_or_summary_json_cannot_carry_is_refused(
    api: Any, where: str, document: object, named: str
) -> None:
    run_id = f"hostile-{where}-{'deep' if named.startswith('nests') else 'loop'}"
    run = api.create_run(run_id=run_id, project=PROJECT, entity=ENTITY)
    getattr(run, where)["bad"] = document
    with pytest.raises(InvalidArgumentError, match=named):
        run.update()
    # The run is still readable, and nothing of the refused document was stored.
    again = api.run(f"{ENTITY}/{PROJECT}/{run_id}")
    assert "bad" not in dict(getattr(again, where))
