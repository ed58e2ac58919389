"""What the results mean: each target of the issue, with the measured value and whether it is
met, as the markdown lines of a report's targets section.

    >>> startup_target_lines({})
    []
"""

from __future__ import annotations

from dataset import Sizes
from plans import SCAN_PAGE_SIZE
from report import Series, Summary

SCAN_WINDOWS_IN_FLIGHT = 8
"""Our scan's windows in flight (``wandb_typed.runs._async.history.WINDOWS_IN_FLIGHT``)."""


def verdict(ok: bool) -> str:
    """Whether a target is met, as the report says it.

    >>> verdict(True), verdict(False)
    ('met', '**not met**')
    """
    return "met" if ok else "**not met**"


def median_seconds(results: dict[str, list[Series]], key: str, contender: str) -> float | None:
    """The median time of ``contender`` on benchmark ``key`` (its default, not ``lazy=False``),
    or ``None`` when it has no measurement."""
    for series in results.get(key, []):
        if series.contender == contender and series.records and "lazy" not in series.label:
            return series.summary("seconds").median
    return None


def _peak(results: dict[str, list[Series]], key: str, contender: str) -> Summary | None:
    for series in results.get(key, []):
        if series.contender == contender and series.records:
            return series.summary("rss_mb")
    return None


def _series(results: dict[str, list[Series]], key: str, contender: str) -> Series | None:
    for series in results.get(key, []):
        if series.contender == contender and series.records:
            return series
    return None


def artifact_target_lines(
    results: dict[str, list[Series]], sizes: Sizes, skipped: str | None
) -> list[str]:
    """The artifact download's targets: 3x faster cold, no file request from the cache, flat
    peak RSS."""

    name = f"artifact download ({sizes.artifact_mb:g} MB, {sizes.artifact_files:,} files)"
    if skipped is not None:
        return [f"- {name}: not measured (artifact benchmark skipped: {skipped})"]
    lines = []
    ours, official = (
        median_seconds(results, "artifact-cold", "ours"),
        median_seconds(results, "artifact-cold", "official"),
    )
    if ours and official:
        speedup = official / ours
        lines.append(
            f"- {name} cold at least 3x faster than the official `Artifact.download()`: "
            f"{speedup:.1f}x ({verdict(speedup >= 3)})"
        )
    else:
        lines.append(f"- {name} cold: not measured for both clients")
    floor = median_seconds(results, "artifact-cold", "floor")
    if ours and floor:
        lines.append(
            f"- {name} cold, ours / the floor (bare httpx writing the bytes, no md5, no cache, "
            f"no temporary file; no target): {ours / floor:.2f}x"
        )
    cached = _series(results, "artifact-cached", "ours")
    if cached is not None:
        sent = [int(record.get("file_requests", -1)) for record in cached.records]
        counted = all(count >= 0 for count in sent)
        lines.append(
            "- a download from a warm cache sends no file request: "
            + (
                f"{max(sent)} file requests in the worst of {len(sent)} repetitions "
                f"({verdict(max(sent) == 0)})"
                if counted
                else "not counted (**not met**)"
            )
        )
    big, tenth = _peak(results, "artifact-cold", "ours"), _peak(results, "artifact-tenth", "ours")
    if big is not None and tenth is not None:
        lines.append(
            f"- download peak RSS flat as the artifact grows 10x: {tenth.high:.0f} MB for a "
            f"tenth, {big.high:.0f} MB for the whole ({verdict(big.high <= tenth.high * 1.15)})"
        )
    return lines


def startup_target_lines(results: dict[str, list[Series]]) -> list[str]:
    """The startup targets (rows 1 and 1c), with the measured value and whether each is met."""
    lines = []
    for key, name in (
        ("import", "import"),
        ("import-api-run", "import + `Api()` + the first `api.run(path)`"),
    ):
        ours, official = (
            median_seconds(results, key, "ours"),
            median_seconds(results, key, "official"),
        )
        if ours and official:
            speedup = official / ours
            lines.append(
                f"- {name} at least 5x faster than the official client: {speedup:.1f}x "
                f"({verdict(speedup >= 5)})"
            )
    return lines


def target_lines(
    results: dict[str, list[Series]], sizes: Sizes, artifact_skipped: str | None
) -> list[str]:
    """Each target of the issue, with the measured value and whether it is met."""
    lines = ["## Targets", "", *startup_target_lines(results)]

    largest = max(sizes.scan_rows)
    for key, name in (("listing", "listing (2)"), (f"scan-{largest}", "scan_history (3)")):
        if key not in results:  # a run of one benchmark alone (--only)
            continue
        ours = median_seconds(results, key, "ours")
        official = median_seconds(results, key, "official")
        floor = median_seconds(results, key, "floor")
        if ours is None:
            lines.append(f"- {name}: ours not measured")
            continue
        if official:
            speedup = official / ours
            lines.append(
                f"- {name} at least 3x faster than the official client: {speedup:.1f}x "
                f"({verdict(speedup >= 3)})"
            )
        if floor:
            ratio = ours / floor
            lines.append(
                f"- {name} within 1.3x of the floor: {ratio:.2f}x ({verdict(ratio <= 1.3)})"
            )
    peaks = {rows: _peak(results, f"scan-{rows}", "ours") for rows in sizes.scan_rows}
    if all(peaks.values()):
        text = ", ".join(
            f"{rows:,} rows: {peak.high:.0f} MB" for rows, peak in peaks.items() if peak
        )
        highest = max(peak.high for peak in peaks.values() if peak)
        smallest, biggest = min(sizes.scan_rows), max(sizes.scan_rows)
        low_peak, high_peak = peaks[smallest], peaks[biggest]
        flat = (
            low_peak is not None
            and high_peak is not None
            and (high_peak.high <= low_peak.high * 1.15)
        )
        lines.append(
            f"- scan_history peak RSS under 150 MB and flat as rows grow: {text} "
            f"({verdict(highest < 150 and flat)})"
        )
    lines += artifact_target_lines(results, sizes, artifact_skipped)
    lines.append("")
    return lines


def latency_target_lines(
    results: dict[str, list[Series]], sizes: Sizes, delay_ms: float
) -> list[str]:
    """The targets of the pass through the latency proxy, and the proxy's own overhead."""

    def median_of(key: str, label_start: str) -> float | None:
        for series in results.get(key, []):
            if series.label.startswith(label_start) and series.records:
                return series.summary("seconds").median
        return None

    lines = [f"## Targets at {delay_ms:g} ms per request (latency proxy)", ""]
    scan_rows = min(sizes.scan_rows)
    checks = (
        (f"lat-scan-{scan_rows}", "wandb_typed (ours)", f"scan_history of {scan_rows:,} rows", 5),
        (
            "lat-sampled",
            "wandb_typed `Runs.histories",
            "history(samples=500) of 50 runs, `Runs.histories()`",
            10,
        ),
        (
            "lat-sampled",
            "wandb_typed `AsyncApi`",
            "history(samples=500) of 50 runs, `AsyncApi` gather",
            10,
        ),
        ("lat-files", "wandb_typed `Files.download", f"{sizes.files} file downloads", 5),
        ("lat-listing", "wandb_typed (ours)", f"listing {sizes.latency_runs:,} runs", 50),
    )
    for key, label, name, wanted in checks:
        ours, official = median_of(key, label), median_of(key, "wandb 0.31.0")
        if ours and official:
            lines.append(
                f"- {name} at least {wanted}x faster than the official client: "
                f"{official / ours:.1f}x ({verdict(official / ours >= wanted)})"
            )
        else:
            lines.append(f"- {name}: not measured for both clients")
    ours = median_of(f"lat-scan-{scan_rows}", "wandb_typed (ours)")
    transfer = median_seconds(results, f"scan-{scan_rows}", "floor")
    if ours and transfer:
        windows = -(-scan_rows // SCAN_PAGE_SIZE) + 1  # + the historyKeys request
        floor = windows / SCAN_WINDOWS_IN_FLIGHT * delay_ms / 1000 + transfer
        lines.append(
            f"- scan_history within 1.5x of its floor at this latency ({windows} requests / "
            f"{SCAN_WINDOWS_IN_FLIGHT} in flight x {delay_ms:g} ms + the loopback floor's "
            f"{transfer:.2f} s = {floor:.2f} s): {ours / floor:.2f}x ({verdict(ours / floor <= 1.5)})"
        )
    for key, direct_key in (
        (f"proxy0-scan-{scan_rows}", f"scan-{scan_rows}"),
        ("proxy0-files", "files"),
    ):
        through, direct = (
            median_seconds(results, key, "ours"),
            median_seconds(results, direct_key, "ours"),
        )
        if through and direct:
            lines.append(
                f"- the proxy's own cost ({key.split('-', 1)[1]}): ours {through:.3f} s through "
                f"it at 0 ms vs {direct:.3f} s direct ({through / direct:.2f}x)"
            )
    lines.append("")
    return lines
