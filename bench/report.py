"""Summaries of repeated measurements and the markdown table of one benchmark's results.

>>> summary = Summary.of([3.0, 1.0, 2.0])
>>> summary.median, summary.low, summary.high
(2.0, 1.0, 3.0)
>>> ratio_text(1.0, 4.0)
'0.25 (4.0x faster)'
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Summary:
    """Median, min and max of repeated values."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        """The summary of ``values`` (at least one)."""
        return cls(statistics.median(values), min(values), max(values))


@dataclass
class Series:
    """Every repetition of one contender on one benchmark."""

    label: str
    contender: str
    records: list[dict[str, float]] = field(default_factory=list)
    error: str | None = None

    def summary(self, key: str) -> Summary:
        """Median/min/max of one field over the repetitions."""
        return Summary.of([record[key] for record in self.records])

    @property
    def items(self) -> int:
        """What one repetition read (the same every time)."""
        return int(self.records[-1]["items"]) if self.records else 0

    @property
    def check(self) -> float | None:
        """The check value of the last repetition."""
        return self.records[-1]["check"] if self.records else None


def ratio_text(ours: float, other: float) -> str:
    """``ours / other`` as a time ratio, with the speed-up it means."""
    ratio = ours / other
    if ratio <= 1:
        return f"{ratio:.2f} ({1 / ratio:.1f}x faster)"
    return f"{ratio:.2f} ({ratio:.1f}x slower)"


def seconds_text(summary: Summary) -> str:
    """``median (min-max)`` in seconds or milliseconds."""
    if summary.high < 1:
        return (
            f"{summary.median * 1000:.0f} ms ({summary.low * 1000:.0f}-{summary.high * 1000:.0f})"
        )
    return f"{summary.median:.2f} s ({summary.low:.2f}-{summary.high:.2f})"


def checks_agree(series: Sequence[Series]) -> bool:
    """Whether every contender that finished read the same data (relative 1e-9)."""
    values = [s.check for s in series if s.check is not None]
    if not values:
        return True
    first = values[0]
    return all(abs(value - first) <= 1e-9 * max(1.0, abs(first)) for value in values)


def counted_text(values: Sequence[float]) -> str:
    """Counts over the repetitions: ``n``, or ``low-high`` when they differ.

    >>> counted_text([3, 3]), counted_text([2, 4, 3]), counted_text([])
    ('3', '2-4', '')
    """
    if not values:
        return ""
    low, high = min(values), max(values)
    return f"{low:.0f}" if low == high else f"{low:.0f}-{high:.0f}"


def table(
    title: str,
    unit: str,
    series: Sequence[Series],
    *,
    columns: Sequence[tuple[str, str]] = (),
) -> list[str]:
    """One benchmark's markdown table: time, throughput, peak RSS, ratios to ours (the first
    of our contenders that finished), then ``columns``: ``(record key, header)`` of numbers
    the tasks counted (blank for a contender that did not count them)."""
    extra_headers = "".join(f" {header} |" for _, header in columns)
    lines = [
        f"### {title}",
        "",
        f"| contender | time, median (min-max) | {unit}/s | `Api()` setup, not in time "
        f"| peak RSS client (+ sidecar) | ours / this |{extra_headers}",
        "|---|---|---|---|---|---|" + "---|" * len(columns),
    ]
    ours = next((s for s in series if s.contender.startswith("ours") and s.records), None)
    for entry in series:
        if entry.error is not None or not entry.records:
            lines.append(
                f"| {entry.label} | not measured: {entry.error} | | | | |" + " |" * len(columns)
            )
            continue
        seconds = entry.summary("seconds")
        rate = entry.items / seconds.median if seconds.median > 0 else float("inf")
        rss = entry.summary("rss_mb").high
        sidecar = max(record.get("sidecar_rss_mb", 0.0) for record in entry.records)
        memory = f"{rss:.0f} MB" + (f" (+ {sidecar:.0f} MB)" if sidecar else "")
        setup = ""
        if all("open_seconds" in record for record in entry.records):
            setup = seconds_text(entry.summary("open_seconds")).split(" (")[0]
        ratio = ""
        if ours is not None and entry is not ours:
            ratio = ratio_text(ours.summary("seconds").median, seconds.median)
        counted = "".join(
            f" {counted_text([r[key] for r in entry.records if key in r])} |" for key, _ in columns
        )
        lines.append(
            f"| {entry.label} | {seconds_text(seconds)} | {rate:,.0f} | {setup} | {memory} "
            f"| {ratio} |{counted}"
        )
    if not checks_agree(series):
        checks = ", ".join(f"{s.label}: {s.check!r}" for s in series)
        lines += ["", f"**The contenders did not read the same data** ({checks})."]
    lines.append("")
    return lines
