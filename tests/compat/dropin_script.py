"""A script written against ``wandb.Api``, run twice by ``test_official_dropin.py``: as it is, and
with its ``import wandb`` line alone changed to ``import wandb_typed as wandb``.

Each row of issue 13's table (and a few of the reference's examples) prints one line,
``ROW <name> <json>``; an exception prints its type's name instead of a value. Usage:
``python dropin_script.py ENTITY PROJECT WORKDIR``.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from collections.abc import Callable
from typing import Any

import pandas
import wandb
import yaml


def plain(value: Any) -> Any:
    """A JSON-safe copy (NaN as the string 'NaN')."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def row(name: str, read: Callable[[], Any]) -> None:
    try:
        value = plain(read())
    except Exception as exc:  # the type is the row's value: which error each client raises
        value = {"error": type(exc).__name__}
    print(f"ROW {name} {json.dumps(value, sort_keys=True, default=repr)}", flush=True)


def main(entity: str, project: str, workdir: str) -> None:
    """Print every row, reading ``entity/project`` (its runs ``dropin-a``, ``dropin-b``)."""
    PATH = f"{entity}/{project}"  # the names a script at the top level would use
    ENTITY, PROJECT, WORKDIR = entity, project, workdir
    api = wandb.Api()
    run = api.run(f"{PATH}/dropin-a")
    project = api.project(PROJECT, entity=ENTITY)

    # -- the table of issue 13 ---------------------------------------------------------------------
    row("config-json", lambda: json.loads(json.dumps(run.config)))
    row("config-yaml", lambda: yaml.safe_load(yaml.safe_dump(run.config)))
    row("config-is-dict", lambda: isinstance(run.config, dict))
    row("config-pandas", lambda: pandas.DataFrame([run.config]).to_dict("records"))
    row("summary-json", lambda: json.loads(json.dumps(run.summary))["best_acc"])
    row("summary-yaml", lambda: yaml.safe_load(yaml.safe_dump(run.summary))["best_acc"])
    row("per-page-2000", lambda: [listed.id for listed in api.runs(PATH, per_page=2000)])
    row("rawconfig", lambda: run.rawconfig)
    row("metadata", lambda: sorted(run.metadata or {}))
    row("username", lambda: run.username)
    row("json-config", lambda: json.loads(run.json_config))
    row(
        "load-full-data", lambda: {k: run.load_full_data()[k] for k in ("config", "summaryMetrics")}
    )
    row("to-html", lambda: run.to_html())
    row("beta-scan-history", lambda: list(run.beta_scan_history(keys=["loss"])))
    row(
        "download-history-exports",
        lambda: run.download_history_exports(tempfile.mkdtemp(dir=WORKDIR)).paths,
    )
    row("artifacts-types", lambda: sorted(t.name for t in project.artifacts_types()))
    row("owner", lambda: project.owner.username)
    row("project-path-unpacks", lambda: [*project.path])
    row("project-path-index", lambda: [project.path[0], project.path[1]])
    row("project-path-equals-list", lambda: project.path == [ENTITY, PROJECT])
    row("project-url", lambda: project.url)
    row("run-url", lambda: run.url)
    row("created-at", lambda: run.created_at)
    row("float-config", lambda: float(run.config["lr"]))
    row(
        "file-download",
        lambda: type(run.file("notes.txt").download(WORKDIR, replace=True)).__name__,
    )
    row("missing-run", lambda: api.run(f"{PATH}/no-such-run").id)

    # -- the reference's examples ------------------------------------------------------------------
    row(
        "runs-filtered-ordered",
        lambda: [
            listed.id
            for listed in api.runs(PATH, filters={"config.lr": {"$gte": 0.05}}, order="-created_at")
        ],
    )
    row("summary-loss", lambda: run.summary["loss"])
    row("history-sampled", lambda: run.history(samples=10, keys=["loss"], pandas=False))
    row("scan-history", lambda: [line["acc"] for line in run.scan_history(keys=["acc"])])
    row("files", lambda: sorted(file.name for file in run.files()))
    row("logged-artifacts", lambda: [artifact.name for artifact in run.logged_artifacts()])

    def ids(**arguments: Any) -> list[str]:
        return [listed.id for listed in api.runs(path=PATH, **arguments)]

    row("ref-filter-equals", lambda: ids(filters={"config.opt": "adam"}))
    row(
        "ref-filter-or",
        lambda: ids(filters={"$or": [{"config.lr": 0.1}, {"config.layers": 3}]}),
    )
    row("ref-filter-regex", lambda: ids(filters={"config.opt": {"$regex": "a.*"}}))
    row("ref-name-regex", lambda: ids(filters={"display_name": {"$regex": "^drop.*1"}}))
    row("ref-order-loss", lambda: ids(order="+summary_metrics.loss"))
    row(
        "history-pandas",
        lambda: (lambda frame: [sorted(frame.columns), len(frame)])(run.history()),
    )
    row("system-metrics-type", lambda: type(run.system_metrics).__name__)
    row("summary-metrics", lambda: run.summary_metrics["best_acc"])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
