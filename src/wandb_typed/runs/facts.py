"""What a run is made of, without I/O: its read-only facts, its creator, its id alphabet,
and the formats its tables and histories come in.

Example:
    >>> len(new_run_id())
    8
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol, TypeAlias, cast

from wandb_typed._json import JSONObject
from wandb_typed._time import as_utc
from wandb_typed.dataframes import FrameFormat, require, to_pandas, to_polars
from wandb_typed.errors import InvalidArgumentError

if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow

    from wandb_typed._generated.fragments import LightRunFragment

__all__ = [
    "DEFAULT_RUN_PROJECT",
    "FINISHED_STATES",
    "RunFacts",
    "RunUser",
    "TableFormat",
    "as_format",
    "check_state_target",
    "check_table_format",
    "new_run_id",
    "table_as_format",
]

UPDATABLE_STATES = ("pending", "failed")
"""The states ``Run.update_state`` may move a run to (W&B's ``updateRunState``)."""

DEFAULT_RUN_PROJECT = "uncategorized"
"""Where ``create_run`` puts a run when no project is given or configured."""

_RUN_ID_ALPHABET = string.ascii_lowercase + string.digits

FINISHED_STATES = frozenset({"finished", "crashed", "failed", "killed"})
"""States after which a run no longer changes on its own."""


class RunFacts(NamedTuple):
    """The fields of a run that are only read: a tuple of scalars, which Python's garbage
    collector stops scanning (a listing keeps thousands of them)."""

    project_id: str
    created_at: datetime
    heartbeat_at: datetime | None
    user: tuple[str, str | None] | None
    sweep_name: str | None
    commit: str | None
    read_only: bool
    history_line_count: int
    tags: tuple[str, ...]

    @classmethod
    def of(cls, fragment: LightRunFragment) -> RunFacts:
        """The facts a ``LightRunFragment`` of a reply holds."""
        user = fragment.user
        return cls(
            fragment.project_id,
            as_utc(fragment.created_at),
            as_utc(fragment.heartbeat_at),
            None if user is None else (user.name, user.username),
            fragment.sweep_name,
            fragment.commit,
            bool(fragment.read_only),
            fragment.history_line_count or 0,
            tuple(fragment.tags or ()),
        )


@dataclass(frozen=True)
class RunUser:
    """The user who created a run."""

    name: str
    username: str | None

    def __str__(self) -> str:
        return self.username or self.name


def as_format(
    rows: list[JSONObject], chosen: FrameFormat
) -> list[JSONObject] | pandas.DataFrame | polars.DataFrame | pyarrow.Table:
    """``rows`` as ``chosen``: the list itself, a pandas or polars DataFrame, or an Arrow
    table."""
    if chosen == "arrow":
        from wandb_typed.arrow import to_arrow

        return to_arrow(rows)
    if chosen == "pandas":
        return to_pandas(rows)
    if chosen == "polars":
        return to_polars(rows)
    if chosen == "default":
        return rows
    raise InvalidArgumentError(
        f"format must be 'default', 'pandas', 'polars' or 'arrow', got {chosen!r}"
    )


TableFormat: TypeAlias = Literal["arrow", "pandas", "polars"]
"""What a whole table comes as: a ``pyarrow.Table``, or a pandas or polars DataFrame of it."""

_TABLE_FORMATS: tuple[TableFormat, ...] = ("arrow", "pandas", "polars")


def check_table_format(chosen: object) -> TableFormat:
    """``chosen`` if it is a :data:`TableFormat`.

    >>> check_table_format("polars")
    'polars'
    >>> check_table_format("rows")
    Traceback (most recent call last):
    ...
    wandb_typed.errors.InvalidArgumentError: format must be 'arrow', 'pandas' or 'polars', got 'rows'
    """
    for known in _TABLE_FORMATS:
        if chosen == known:
            return known
    raise InvalidArgumentError(f"format must be 'arrow', 'pandas' or 'polars', got {chosen!r}")


def table_as_format(
    table: pyarrow.Table, chosen: TableFormat
) -> pyarrow.Table | pandas.DataFrame | polars.DataFrame:
    """``table`` itself, its ``to_pandas()``, or ``polars.from_arrow`` of it."""
    if chosen == "pandas":
        require("pandas", "pandas")
        return cast("_ToPandas", table).to_pandas()
    if chosen == "polars":
        require("polars", "polars")
        import polars as pl

        converted = cast("_PolarsFromArrow", pl).from_arrow(table)
        if not isinstance(converted, pl.DataFrame):  # pragma: no cover - a table is a frame
            raise TypeError("polars.from_arrow gave a Series for a table")
        return converted
    return table


class _ToPandas(Protocol):
    """``pyarrow.Table.to_pandas`` as called here (its stubs leave optional parameters'
    types unknown)."""

    def to_pandas(self) -> pandas.DataFrame: ...


class _PolarsFromArrow(Protocol):
    """``polars.from_arrow`` as called here, with a table (its stubs leave a parameter's
    type unknown)."""

    def from_arrow(self, data: pyarrow.Table) -> polars.DataFrame | polars.Series: ...


def new_run_id() -> str:
    """A random run id like the SDK's: 8 lowercase letters and digits."""
    return "".join(secrets.choice(_RUN_ID_ALPHABET) for _ in range(8))


def check_state_target(state: str) -> str:
    """``state`` if ``Run.update_state`` may ask for it.

    >>> check_state_target("failed")
    'failed'
    >>> check_state_target("finished")
    Traceback (most recent call last):
    ...
    wandb_typed.errors.InvalidArgumentError: update_state: state must be one of 'pending', 'failed'; got 'finished'
    """
    if state not in UPDATABLE_STATES:
        allowed = ", ".join(repr(name) for name in UPDATABLE_STATES)
        raise InvalidArgumentError(f"update_state: state must be one of {allowed}; got {state!r}")
    return state
