"""Event filters, built as in wandb's examples: ``RunEvent.metric("loss").avg(5) > 0.5``,
``RunEvent.state == "failed"``, ``ArtifactEvent.alias.eq("production")``, and run conditions
combined with ``&`` (``... & (RunEvent.name == "baseline")``). Each knows its wire JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, cast

from wandb_typed.automations.kinds import EventType
from wandb_typed.errors import InvalidArgumentError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "ArtifactEvent",
    "ArtifactFilter",
    "MetricChangeFilter",
    "MetricFilter",
    "MetricThresholdFilter",
    "MetricZScoreFilter",
    "RunEvent",
    "RunFilter",
    "RunStateFilter",
]


_AGG = {"max": "MAX", "min": "MIN", "avg": "AVERAGE"}


_F = TypeVar("_F", bound="_WithRunConditions")


class _WithRunConditions:
    """``filter & RunEvent.name == "x"``: a run event filter that also needs run conditions."""

    runs: tuple[dict[str, Any], ...]

    def __and__(self: _F, other: object) -> _F:
        if not isinstance(other, RunFilter):
            raise InvalidArgumentError(
                f"a run event filter combines with run conditions (RunEvent.name ...), got {other!r}"
            )
        # Every subclass is a frozen dataclass with a ``runs`` field.
        instance = cast("DataclassInstance", self)
        return cast("_F", replace(instance, runs=(*self.runs, other.expr)))

    __rand__ = __and__


_Cmp = Literal["$gt", "$gte", "$lt", "$lte"]
_CMP: dict[str, _Cmp] = {">": "$gt", ">=": "$gte", "<": "$lt", "<=": "$lte"}


@dataclass(frozen=True)
class MetricThresholdFilter(_WithRunConditions):
    """``metric`` (aggregated over the last ``window`` values) compared with ``threshold``."""

    name: str
    cmp: Literal["$gt", "$gte", "$lt", "$lte"]
    threshold: float
    agg: str | None = None
    window: int = 1
    event_type: EventType = EventType.RUN_METRIC_THRESHOLD
    runs: tuple[dict[str, Any], ...] = ()
    """Conditions on the run (``& RunEvent.name == "x"``), all of which must hold."""

    def wire(self) -> dict[str, Any]:
        """The ``run_metric_filter`` JSON."""
        return {
            "threshold_filter": {
                "name": self.name,
                "agg_op": self.agg,
                "window_size": self.window,
                "cmp_op": self.cmp,
                "threshold": self.threshold,
            }
        }


@dataclass(frozen=True)
class MetricChangeFilter(_WithRunConditions):
    """The metric changed by ``amount`` (absolute or relative) between two windows."""

    name: str
    amount: float
    change_type: Literal["ABSOLUTE", "RELATIVE"]
    change_dir: Literal["INCREASE", "DECREASE", "ANY"]
    agg: str | None = None
    window: int = 1
    prior_window: int = 1
    event_type: EventType = EventType.RUN_METRIC_CHANGE
    runs: tuple[dict[str, Any], ...] = ()

    def wire(self) -> dict[str, Any]:
        """The ``run_metric_filter`` JSON."""
        return {
            "change_filter": {
                "name": self.name,
                "agg_op": self.agg,
                "current_window_size": self.window,
                "change_amount": self.amount,
                "prior_window_size": self.prior_window,
                "change_type": self.change_type,
                "change_dir": self.change_dir,
            }
        }


@dataclass(frozen=True)
class MetricZScoreFilter(_WithRunConditions):
    """The metric's z-score against the previous ``window`` values passes ``threshold``."""

    name: str
    window: int
    threshold: float
    change_dir: Literal["INCREASE", "DECREASE", "ANY"]
    event_type: EventType = EventType.RUN_METRIC_ZSCORE
    runs: tuple[dict[str, Any], ...] = ()

    def wire(self) -> dict[str, Any]:
        """The ``run_metric_filter`` JSON."""
        return {
            "zscore_filter": {
                "name": self.name,
                "window_size": self.window,
                "threshold": self.threshold,
                "change_dir": self.change_dir,
            }
        }


def _number(value: object, what: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise InvalidArgumentError(f"{what} must be a number, got {value!r}")
    return float(value)


def _positive_int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidArgumentError(f"{what} must be a positive integer, got {value!r}")
    return value


class _MetricOperand:
    """A metric (optionally aggregated): compare it, or ask how it changes."""

    def __init__(self, name: str, agg: str | None = None, window: int = 1) -> None:
        self.name = name
        """The metric's name."""
        self.agg = agg
        """The aggregation over the window (``MAX``, ``MIN``, ``AVERAGE``; None: the last value)."""
        self.window = window
        """How many of the last values are aggregated."""

    def _threshold(self, op: str, value: object) -> MetricThresholdFilter:
        return MetricThresholdFilter(
            self.name,
            _CMP[op],
            _number(value, "threshold"),
            self.agg,
            self.window,
        )

    def __gt__(self, value: object) -> MetricThresholdFilter:
        return self._threshold(">", value)

    def __ge__(self, value: object) -> MetricThresholdFilter:
        return self._threshold(">=", value)

    def __lt__(self, value: object) -> MetricThresholdFilter:
        return self._threshold("<", value)

    def __le__(self, value: object) -> MetricThresholdFilter:
        return self._threshold("<=", value)

    gt = __gt__
    gte = __ge__
    lt = __lt__
    lte = __le__

    def _change(
        self,
        direction: Literal["INCREASE", "DECREASE", "ANY"],
        diff: float | None,
        frac: float | None,
    ) -> MetricChangeFilter:
        if (diff is None) == (frac is None):
            raise InvalidArgumentError("give exactly one of diff= (absolute) or frac= (relative)")
        amount = _number(diff if diff is not None else frac, "the change")
        if amount <= 0:
            raise InvalidArgumentError(f"the change must be positive, got {amount!r}")
        kind: Literal["ABSOLUTE", "RELATIVE"] = "ABSOLUTE" if diff is not None else "RELATIVE"
        return MetricChangeFilter(
            self.name, amount, kind, direction, self.agg, self.window, self.window
        )

    def changes_by(
        self, *, diff: float | None = None, frac: float | None = None
    ) -> MetricChangeFilter:
        """Changed (either way) by ``diff`` (absolute) or ``frac`` (relative)."""
        return self._change("ANY", diff, frac)

    def increases_by(
        self, *, diff: float | None = None, frac: float | None = None
    ) -> MetricChangeFilter:
        """Grew by ``diff`` (absolute) or ``frac`` (relative)."""
        return self._change("INCREASE", diff, frac)

    def decreases_by(
        self, *, diff: float | None = None, frac: float | None = None
    ) -> MetricChangeFilter:
        """Shrank by ``diff`` (absolute) or ``frac`` (relative)."""
        return self._change("DECREASE", diff, frac)


class _MetricValue(_MetricOperand):
    """``RunEvent.metric(name)``: the last value, or an aggregate over a window."""

    def max(self, window: int) -> _MetricOperand:
        """The largest of the last ``window`` values."""
        return _MetricOperand(self.name, "MAX", _positive_int(window, "window"))

    def min(self, window: int) -> _MetricOperand:
        """The smallest of the last ``window`` values."""
        return _MetricOperand(self.name, "MIN", _positive_int(window, "window"))

    def avg(self, window: int) -> _MetricOperand:
        """The mean of the last ``window`` values."""
        return _MetricOperand(self.name, "AVERAGE", _positive_int(window, "window"))

    mean = avg

    def zscore(self, window: int) -> _ZScore:
        """The newest value's z-score against the previous ``window`` values."""
        return _ZScore(self.name, _positive_int(window, "window"))


class _ZScore:
    """``RunEvent.metric(name).zscore(window)``: compare it (``abs(...)`` for either way)."""

    def __init__(self, name: str, window: int, absolute: bool = False) -> None:
        self.name = name
        """The metric's name."""
        self.window = window
        """How many previous values the z-score is computed against."""
        self.absolute = absolute
        """Whether a change either way counts (``abs(...)``)."""

    def __gt__(self, value: object) -> MetricZScoreFilter:
        return MetricZScoreFilter(
            self.name,
            self.window,
            _number(value, "threshold"),
            "ANY" if self.absolute else "INCREASE",
        )

    def __lt__(self, value: object) -> MetricZScoreFilter:
        return MetricZScoreFilter(
            self.name, self.window, abs(_number(value, "threshold")), "DECREASE"
        )

    def __abs__(self) -> _ZScore:
        return _ZScore(self.name, self.window, absolute=True)


@dataclass(frozen=True)
class RunStateFilter(_WithRunConditions):
    """The run reached one of ``states`` (``FINISHED``, ``FAILED``, ``CRASHED``...)."""

    states: tuple[str, ...]
    event_type: EventType = EventType.RUN_STATE
    runs: tuple[dict[str, Any], ...] = ()

    def wire(self) -> dict[str, Any]:
        """The ``run_state_filter`` JSON."""
        return {"states": list(self.states)}


@dataclass(frozen=True)
class RunFilter:
    """A condition on the run itself (``RunEvent.name == "baseline"``); combine it with a
    metric or state filter with ``&``."""

    expr: dict[str, Any]


class _RunField:
    """``RunEvent.name``: conditions on the run's display name."""

    def __init__(self, key: str) -> None:
        self.key = key
        """The run field (``display_name``)."""

    def eq(self, value: str) -> RunFilter:
        """Exactly ``value``."""
        return RunFilter({self.key: {"$eq": value}})

    __eq__ = eq  # type: ignore[assignment]
    __hash__: ClassVar[None]  # type: ignore[assignment]

    def contains(self, text: str) -> RunFilter:
        """Containing ``text``."""
        return RunFilter({self.key: {"$contains": text}})

    def matches_regex(self, pattern: str) -> RunFilter:
        """Matching the regular expression ``pattern``."""
        return RunFilter({self.key: {"$regex": pattern}})


class _RunState:
    """``RunEvent.state``: ``RunEvent.state == "failed"`` or ``.in_([...])``."""

    def __eq__(self, state: object) -> RunStateFilter:  # type: ignore[override]
        return self.in_([str(state)])

    def in_(self, states: list[str]) -> RunStateFilter:
        """One of several states."""
        return RunStateFilter(tuple(str(state).upper() for state in states))

    __hash__: ClassVar[None]  # type: ignore[assignment]


class RunEvent:
    """Builders of run event filters.

    Example:
        >>> (RunEvent.metric("loss").avg(5) > 0.5).threshold
        0.5
        >>> (RunEvent.state == "failed").states
        ('FAILED',)
        >>> ((RunEvent.state == "failed") & (RunEvent.name == "baseline")).runs
        ({'display_name': {'$eq': 'baseline'}},)
    """

    state: ClassVar[_RunState] = _RunState()
    """The run's state: ``RunEvent.state == "failed"``."""
    name: ClassVar[_RunField] = _RunField("display_name")
    """The run's display name: ``RunEvent.name == "baseline"``."""

    @staticmethod
    def metric(name: str) -> _MetricValue:
        """A logged metric, by name."""
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError(f"a metric name must be a non-empty string, got {name!r}")
        return _MetricValue(name)


@dataclass(frozen=True)
class ArtifactFilter:
    """A Mongo-style filter on an artifact event's ``alias`` or ``tag``."""

    expr: dict[str, Any]


class _ArtifactField:
    """``ArtifactEvent.alias`` or ``.tag``: conditions on it."""

    def __init__(self, name: str) -> None:
        self.name = name
        """The field (``alias`` or ``tag``)."""

    def eq(self, value: str) -> ArtifactFilter:
        """Exactly ``value``."""
        return ArtifactFilter({self.name: {"$eq": value}})

    __eq__ = eq  # type: ignore[assignment]
    __hash__: ClassVar[None]  # type: ignore[assignment]

    def matches_regex(self, pattern: str) -> ArtifactFilter:
        """Matching the regular expression ``pattern``."""
        return ArtifactFilter({self.name: {"$regex": pattern}})


class ArtifactEvent:
    """Builders of artifact event filters: ``ArtifactEvent.alias.eq("production")``."""

    alias: ClassVar[_ArtifactField] = _ArtifactField("alias")
    """The artifact's alias."""
    tag: ClassVar[_ArtifactField] = _ArtifactField("tag")
    """The artifact's tag."""


MetricFilter = MetricThresholdFilter | MetricChangeFilter | MetricZScoreFilter
