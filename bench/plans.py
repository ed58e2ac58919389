"""What is measured: the contenders, the benchmarks (a task, its parameters and who runs it),
and the plan of each pass of ``bench/run.py``, in the order they are reported.

    >>> [bench.key for bench in startup_benchmarks()]
    ['import', 'import-api', 'import-api-run']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from artifact_data import ArtifactSpec
from dataset import EXPORT, FILES_RUN, LISTING, LISTING_LATENCY, SAMPLED, Sizes, scan_run_path
from documents import generated_document

PER_PAGE = 1000
SCAN_PAGE_SIZE = 1000
SAMPLES = 500


@dataclass(frozen=True)
class Contender:
    """One way of doing a task: a contender module and the parameters it adds."""

    label: str
    contender: str
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Benchmark:
    """One task, the parameters every contender gets, and who runs it."""

    key: str
    title: str
    unit: str
    task: str
    params: dict[str, object]
    contenders: tuple[Contender, ...]
    cache: str | None = None
    """``"cold"`` or ``"warm"``: each measurement gets its own scratch folder and an empty
    ``WANDB_CACHE_DIR`` in it, which for ``"warm"`` a first, unmeasured run of the same
    contender fills."""
    columns: tuple[tuple[str, str], ...] = ()
    """``(record key, header)`` of numbers a task counted itself, shown as extra columns."""
    max_reps: int | None = None
    """At most this many repetitions (a task whose slow contender takes minutes)."""


OURS = Contender("wandb_typed (ours)", "ours")
OFFICIAL = Contender("wandb 0.31.0 (official)", "official")
FLOOR = Contender("floor: bare httpx + json.loads", "floor")
STARTUP_FLOOR = Contender("floor: import httpx + pydantic, one request", "startup_floor")
IN_FLIGHT = (
    ("requests", "GraphQL requests (spy)"),
    ("max_in_flight", "requests awaiting a reply at once (spy)"),
)
FILE_REQUESTS = (("file_requests", "file requests sent (spy)"),)


def artifact_specs(sizes: Sizes) -> list[ArtifactSpec]:
    """The artifact of the issue, and one a tenth of its size (the peak-RSS reference)."""
    return [
        ArtifactSpec("bench-data", sizes.artifact_mb, sizes.artifact_files),
        ArtifactSpec(
            "bench-data-tenth", sizes.artifact_mb / 10, max(1, sizes.artifact_files // 10)
        ),
    ]


def artifact_benchmarks(sizes: Sizes, seeded: dict[str, dict[str, object]]) -> list[Benchmark]:
    """Cold and cached downloads of the seeded artifact, and ours cold on the tenth."""
    main, tenth = artifact_specs(sizes)
    what = f"{main.megabytes:g} MB artifact of {main.files:,} files"
    floor = Contender(
        "floor: bare httpx, 16 threads, bytes to disk",
        "floor",
        {
            "get_artifact": generated_document("get_artifact_membership"),
            "get_artifact_files": generated_document("get_artifact_files"),
        },
    )
    return [
        Benchmark(
            "artifact-cold",
            f"6a. download a {what}, cold (empty `WANDB_CACHE_DIR`)",
            "files",
            "download_artifact",
            seeded[main.name],
            (OURS, OFFICIAL, floor),
            cache="cold",
            columns=FILE_REQUESTS,
        ),
        Benchmark(
            "artifact-cached",
            f"6b. download the {what} again into a new folder, from the cache an earlier "
            "download of the same client filled",
            "files",
            "download_artifact",
            seeded[main.name],
            (OURS, OFFICIAL),
            cache="warm",
            columns=FILE_REQUESTS,
        ),
        Benchmark(
            "artifact-tenth",
            f"6c. peak-RSS reference: ours, cold, on a {tenth.megabytes:g} MB artifact of "
            f"{tenth.files:,} files (a tenth of 6a)",
            "files",
            "download_artifact",
            seeded[tenth.name],
            (OURS,),
            cache="cold",
            columns=FILE_REQUESTS,
        ),
    ]


def startup_benchmarks() -> list[Benchmark]:
    """The startup rows (1, 1b, 1c): what a script pays before and for its first request."""
    return [
        Benchmark(
            "import",
            "1. import + `Api` attribute (fresh process)",
            "imports",
            "import",
            {},
            (OURS, OFFICIAL),
        ),
        Benchmark(
            "import-api",
            "1b. import + one `Api(...)` built (fresh process)",
            "imports",
            "import_api",
            {},
            (OURS, OFFICIAL),
        ),
        Benchmark(
            "import-api-run",
            "1c. import + one `Api(...)` + the first `api.run(path)` (fresh process)",
            "imports",
            "import_api_run",
            {"path": FILES_RUN},
            (OURS, OFFICIAL, STARTUP_FLOOR),
        ),
    ]


def benchmarks(sizes: Sizes) -> list[Benchmark]:
    """The benchmarks of the issue, in the order they are reported (without the artifact
    benchmarks: those come only once their data could be seeded)."""
    listing_floor = Contender(FLOOR.label, "floor", {"get_runs": generated_document("get_runs")})
    scan_floor = Contender(
        FLOOR.label,
        "floor",
        {
            "get_history_keys": generated_document("get_run_history_keys"),
            "get_history_page": generated_document("get_run_history_page"),
        },
    )
    found = [
        *startup_benchmarks(),
        Benchmark(
            "listing",
            f"2. list {sizes.runs:,} runs, touch `config` and `summary` of each "
            f"(per_page={PER_PAGE})",
            "runs",
            "list_runs",
            {"path": LISTING, "per_page": PER_PAGE},
            (
                OURS,
                Contender("wandb_typed, lazy=False", "ours", {"lazy": False}),
                OFFICIAL,
                Contender("wandb 0.31.0, lazy=False", "official", {"lazy": False}),
                listing_floor,
            ),
        ),
    ]
    for rows in sizes.scan_rows:
        found.append(
            Benchmark(
                f"scan-{rows}",
                f"3. `scan_history()` of one run, {rows:,} rows x 5 keys "
                f"(page_size={SCAN_PAGE_SIZE})",
                "rows",
                "scan_history",
                {"path": scan_run_path(rows), "page_size": SCAN_PAGE_SIZE},
                (OURS, OFFICIAL, scan_floor),
            )
        )
    found += [
        Benchmark(
            "sampled",
            f"4. `history(samples={SAMPLES}, pandas=False)` of {sizes.sampled_runs} runs "
            f"({sizes.sampled_rows:,} rows each)",
            "rows",
            "sampled_history",
            {"path": SAMPLED, "per_page": 50, "samples": SAMPLES},
            (OURS, OFFICIAL),
        ),
        Benchmark(
            "sampled-gather",
            f"4b. `asyncio.gather` of `history(samples={SAMPLES}, pandas=False)` over "
            f"{sizes.sampled_runs} runs with `AsyncApi` (runs listed, then every history "
            "requested at once) vs one run after the other",
            "rows",
            "sampled_history",
            {"path": SAMPLED, "per_page": 50, "samples": SAMPLES, "spy": True},
            (
                Contender("wandb_typed `AsyncApi`, gather (ours)", "ours_async"),
                Contender("wandb_typed `Api`, one by one", "ours"),
                OFFICIAL,
            ),
            columns=IN_FLIGHT,
        ),
        Benchmark(
            "files",
            f"5. download {sizes.files} small files of one run",
            "files",
            "download_files",
            {"path": FILES_RUN, "per_page": 50},
            (OURS, OFFICIAL),
        ),
        Benchmark(
            "export",
            f"7. export {sizes.export_runs:,} runs ({sizes.export_rows} history rows x 5 keys "
            "each) to Parquet: `wandb-typed export` vs the official client + pandas",
            "rows",
            "export_parquet",
            {"path": EXPORT},
            (OURS, OFFICIAL),
            cache="cold",
            max_reps=1,  # the official client takes minutes here
        ),
    ]
    return found


def latency_benchmarks(
    sizes: Sizes, seeded: dict[str, dict[str, object]] | None, delay_ms: float
) -> list[Benchmark]:
    """The second pass, every request delayed by ``delay_ms`` through the latency proxy:
    listing, scan, sampled histories, file downloads and (when seeded) the cold artifact
    download, with our bulk calls (``Runs.histories``, ``Files.download``) beside the
    one-by-one loops users port from the official client."""
    scan_rows = min(sizes.scan_rows)
    scan_floor = Contender(
        FLOOR.label,
        "floor",
        {
            "get_history_keys": generated_document("get_run_history_keys"),
            "get_history_page": generated_document("get_run_history_page"),
        },
    )
    tag = f"at {delay_ms:g} ms per request"
    found = [
        Benchmark(
            "lat-listing",
            f"L2. {tag}: list {sizes.latency_runs:,} runs, touch `config` and `summary` of "
            f"each (per_page={PER_PAGE})",
            "runs",
            "list_runs",
            {"path": LISTING_LATENCY, "per_page": PER_PAGE},
            (
                OURS,
                OFFICIAL,
                Contender(FLOOR.label, "floor", {"get_runs": generated_document("get_runs")}),
            ),
        ),
        Benchmark(
            f"lat-scan-{scan_rows}",
            f"L3. {tag}: `scan_history()` of one run, {scan_rows:,} rows x 5 keys "
            f"(page_size={SCAN_PAGE_SIZE})",
            "rows",
            "scan_history",
            {"path": scan_run_path(scan_rows), "page_size": SCAN_PAGE_SIZE},
            (
                OURS,
                OFFICIAL,
                Contender(
                    "floor: bare httpx, one window after the other", "floor", scan_floor.extra
                ),
            ),
        ),
        Benchmark(
            "lat-sampled",
            f"L4. {tag}: `history(samples={SAMPLES})` of {sizes.sampled_runs} runs",
            "rows",
            "sampled_history",
            {"path": SAMPLED, "per_page": 50, "samples": SAMPLES},
            (
                Contender("wandb_typed `Runs.histories()` (ours)", "ours", {"bulk": True}),
                Contender("wandb_typed `AsyncApi`, gather", "ours_async"),
                Contender("wandb_typed `Api`, one run after the other", "ours"),
                OFFICIAL,
            ),
        ),
        Benchmark(
            "lat-files",
            f"L5. {tag}: download {sizes.files} small files of one run",
            "files",
            "download_files",
            {"path": FILES_RUN, "per_page": 50},
            (
                Contender("wandb_typed `Files.download()` (ours)", "ours", {"bulk": True}),
                Contender("wandb_typed, `File.download()` one by one", "ours"),
                OFFICIAL,
            ),
        ),
    ]
    if seeded is not None:
        main = artifact_specs(sizes)[0]
        found.append(
            Benchmark(
                "lat-artifact-cold",
                f"L6. {tag}: download the {main.megabytes:g} MB artifact of {main.files:,} "
                "files, cold",
                "files",
                "download_artifact",
                seeded[main.name],
                (OURS, OFFICIAL),
                cache="cold",
                columns=FILE_REQUESTS,
            )
        )
    return found


def proxy_overhead_benchmarks(sizes: Sizes) -> list[Benchmark]:
    """Ours through the proxy with no delay: compared with the same tasks direct (1st pass),
    the proxy's own cost."""
    scan_rows = min(sizes.scan_rows)
    return [
        Benchmark(
            f"proxy0-scan-{scan_rows}",
            f"P3. through the proxy at 0 ms: `scan_history()`, {scan_rows:,} rows (compare 3)",
            "rows",
            "scan_history",
            {"path": scan_run_path(scan_rows), "page_size": SCAN_PAGE_SIZE},
            (OURS,),
        ),
        Benchmark(
            "proxy0-files",
            f"P5. through the proxy at 0 ms: download {sizes.files} small files one by one "
            "(compare 5)",
            "files",
            "download_files",
            {"path": FILES_RUN, "per_page": 50},
            (OURS,),
        ),
    ]
