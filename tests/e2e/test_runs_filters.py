"""``Api.runs`` filters and order end to end: every operator on ``config.*``,
``summary_metrics.*`` and run fields, against runs logged through the wire, in both
flavours."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from runs_support import ENTITY

from wandb_typed import Api
from wandb_typed.errors import GraphQLError, InvalidArgumentError
from wandb_typed_server import RunningServer
from wandb_typed_server.testing.seed import SeedRun, seed_runs

PROJECT = "e2e-runs-filters"
SHARED_API = True  # one client per flavour: no test here needs a fresh one (conftest.api)

RUNS = [
    SeedRun(
        "run-a",
        config={"lr": 0.1, "opt": "adam", "layers": 2, "net": {"depth": 3}},
        summary={"loss": 0.5, "acc": 0.8, "phase": "done"},
        tags=["baseline"],
        group="g1",
        job_type="train",
        display_name="alpha",
        notes="first try",
    ),
    SeedRun(
        "run-b",
        config={"lr": 0.01, "opt": "sgd", "layers": 4, "net": {"depth": 5}},
        summary={"loss": 0.3, "acc": 0.9, "phase": "warmup"},
        tags=["tuned", "baseline"],
        group="g1",
        job_type="eval",
        display_name="beta",
    ),
    SeedRun(
        "run-c",
        config={"lr": 0.001, "opt": "adam"},
        summary={"loss": 0.7},
        group="g2",
        job_type="train",
        display_name="gamma",
        exitcode=1,
    ),
    SeedRun(
        "run-d",
        config={"lr": 0.2, "opt": "rmsprop", "layers": 8},
        summary={"loss": 0.2, "acc": 0.95},
        tags=["tuned"],
        display_name="delta",
        exitcode=None,
    ),
]


@pytest.fixture(scope="module", autouse=True)
def seeded(local_server: RunningServer) -> None:
    seed_runs(local_server.base_url, local_server.api_key, ENTITY, PROJECT, RUNS)


def matching(api: Api, filters: Mapping[str, object]) -> set[str]:
    runs = api.runs(f"{ENTITY}/{PROJECT}", filters=filters)
    ids = [run.id for run in runs]
    assert len(runs) == len(ids)
    return set(ids)


CONFIG_CASES = [
    ({"config.opt": "adam"}, {"run-a", "run-c"}),
    ({"config.opt": {"$eq": "sgd"}}, {"run-b"}),
    ({"config.opt.value": "sgd"}, {"run-b"}),
    ({"config.opt": {"$ne": "adam"}}, {"run-b", "run-d"}),
    ({"config.lr": {"$gt": 0.01}}, {"run-a", "run-d"}),
    ({"config.lr": {"$gte": 0.01}}, {"run-a", "run-b", "run-d"}),
    ({"config.lr": {"$lt": 0.1}}, {"run-b", "run-c"}),
    ({"config.lr": {"$lte": 0.1}}, {"run-a", "run-b", "run-c"}),
    ({"config.layers": {"$in": [2, 8]}}, {"run-a", "run-d"}),
    ({"config.layers": {"$nin": [2, 8]}}, {"run-b", "run-c"}),
    ({"config.layers": {"$exists": True}}, {"run-a", "run-b", "run-d"}),
    ({"config.layers": {"$exists": False}}, {"run-c"}),
    ({"config.opt": {"$regex": "^(sgd|rms)"}}, {"run-b", "run-d"}),
    ({"config.net.depth": {"$gte": 4}}, {"run-b"}),
]

SUMMARY_CASES = [
    ({"summary_metrics.loss": 0.3}, {"run-b"}),
    ({"summary_metrics.loss": {"$eq": 0.5}}, {"run-a"}),
    ({"summary_metrics.loss": {"$ne": 0.5}}, {"run-b", "run-c", "run-d"}),
    ({"summary_metrics.acc": {"$gt": 0.8}}, {"run-b", "run-d"}),
    ({"summary_metrics.acc": {"$gte": 0.8}}, {"run-a", "run-b", "run-d"}),
    ({"summary_metrics.loss": {"$lt": 0.5}}, {"run-b", "run-d"}),
    ({"summary_metrics.loss": {"$lte": 0.5}}, {"run-a", "run-b", "run-d"}),
    ({"summary_metrics.loss": {"$in": [0.2, 0.7]}}, {"run-c", "run-d"}),
    ({"summary_metrics.loss": {"$nin": [0.2, 0.7]}}, {"run-a", "run-b"}),
    ({"summary_metrics.acc": {"$exists": True}}, {"run-a", "run-b", "run-d"}),
    ({"summary_metrics.acc": {"$exists": False}}, {"run-c"}),
    ({"summary_metrics.phase": {"$regex": "^warm"}}, {"run-b"}),
    ({"summary_metrics.phase": {"$ne": "done"}}, {"run-b", "run-c", "run-d"}),
]

FIELD_CASES = [
    ({"state": "finished"}, {"run-a", "run-b"}),
    ({"state": {"$eq": "failed"}}, {"run-c"}),
    ({"state": {"$nin": ["finished", "failed"]}}, {"run-d"}),
    ({"jobType": {"$regex": "val"}}, {"run-b"}),
    ({"notes": {"$exists": True}}, {"run-a"}),
    ({"createdAt": {"$gte": "2000-01-01T00:00:00Z"}}, {"run-a", "run-b", "run-c", "run-d"}),
    ({"createdAt": {"$lte": "2000-01-01T00:00:00Z"}}, set()),
    ({"duration": {"$gte": 0}}, {"run-a", "run-b", "run-c", "run-d"}),
    ({"duration": {"$lt": 0}}, set()),
    ({"state": {"$in": ["failed", "running"]}}, {"run-c", "run-d"}),
    ({"state": {"$ne": "finished"}}, {"run-c", "run-d"}),
    ({"displayName": {"$regex": "^(al|de)"}}, {"run-a", "run-d"}),
    ({"display_name": "gamma"}, {"run-c"}),
    ({"name": {"$in": ["run-a", "run-c"]}}, {"run-a", "run-c"}),
    ({"name": {"$nin": ["run-a", "run-c"]}}, {"run-b", "run-d"}),
    ({"group": "g1"}, {"run-a", "run-b"}),
    ({"group": {"$exists": False}}, {"run-d"}),
    ({"jobType": "train"}, {"run-a", "run-c"}),
    ({"tags": "baseline"}, {"run-a", "run-b"}),
    ({"tags": {"$in": ["tuned"]}}, {"run-b", "run-d"}),
    ({"tags": {"$nin": ["baseline"]}}, {"run-c", "run-d"}),
    ({"username": ENTITY}, {"run-a", "run-b", "run-c", "run-d"}),
    ({"createdAt": {"$gt": "2000-01-01T00:00:00Z"}}, {"run-a", "run-b", "run-c", "run-d"}),
    ({"createdAt": {"$lt": "2000-01-01T00:00:00Z"}}, set()),
    ({"$and": [{"config.opt": "adam"}, {"state": "finished"}]}, {"run-a"}),
    ({"$or": [{"config.opt": "sgd"}, {"summary_metrics.loss": {"$lt": 0.25}}]}, {"run-b", "run-d"}),
    ({"$nor": [{"config.opt": "adam"}, {"tags": "tuned"}]}, set()),
    ({"$nor": [{"config.opt": "adam"}]}, {"run-b", "run-d"}),
]


@pytest.mark.parametrize(("filters", "expected"), CONFIG_CASES, ids=str)
def test_config_filters(api: Api, filters: Mapping[str, object], expected: set[str]) -> None:
    assert matching(api, filters) == expected


@pytest.mark.parametrize(("filters", "expected"), SUMMARY_CASES, ids=str)
def test_summary_filters(api: Api, filters: Mapping[str, object], expected: set[str]) -> None:
    assert matching(api, filters) == expected


@pytest.mark.parametrize(("filters", "expected"), FIELD_CASES, ids=str)
def test_field_filters(api: Api, filters: Mapping[str, object], expected: set[str]) -> None:
    assert matching(api, filters) == expected


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("+created_at", ["run-a", "run-b", "run-c", "run-d"]),
        ("-created_at", ["run-d", "run-c", "run-b", "run-a"]),
        ("+summary_metrics.loss", ["run-d", "run-b", "run-a", "run-c"]),
        ("-summary_metrics.loss", ["run-c", "run-a", "run-b", "run-d"]),
        ("+config.lr", ["run-c", "run-b", "run-a", "run-d"]),
        ("-config.lr.value", ["run-d", "run-a", "run-b", "run-c"]),
        ("-display_name", ["run-c", "run-d", "run-b", "run-a"]),
    ],
)
def test_order(api: Api, order: str, expected: list[str]) -> None:
    for per_page in (1, 3, 50):
        runs = api.runs(f"{ENTITY}/{PROJECT}", order=order, per_page=per_page)
        assert [run.id for run in runs] == expected


def test_filter_and_order_together(api: Api) -> None:
    runs = api.runs(
        f"{ENTITY}/{PROJECT}", filters={"config.opt": {"$ne": "rmsprop"}}, order="-config.lr"
    )
    assert [run.id for run in runs] == ["run-a", "run-b", "run-c"]


def test_unknown_operator_names_it(api: Api) -> None:
    runs = api.runs(f"{ENTITY}/{PROJECT}", filters={"config.lr": {"$near": 1}})
    with pytest.raises(GraphQLError, match=r"\$near") as caught:
        list(runs)
    assert "config.lr" in str(caught.value)


def test_unknown_field_names_it(api: Api) -> None:
    with pytest.raises(GraphQLError, match="bogus"):
        list(api.runs(f"{ENTITY}/{PROJECT}", filters={"bogus": 1}))


def test_unknown_order_key_names_it(api: Api) -> None:
    with pytest.raises(GraphQLError, match="sideways"):
        list(api.runs(f"{ENTITY}/{PROJECT}", order="+sideways"))


@pytest.mark.parametrize(
    ("filters", "named"),
    [
        ({"config.lr": {"$gt": object()}}, "filters['config.lr']['$gt'] is a object"),
        ({"config.lr": float("nan")}, "filters['config.lr'] is nan"),
        ({"$or": [{"a": 1}, {2: "x"}]}, "filters['$or'][1] has a key 2"),
        (["config.lr"], "filters must be a mapping"),
    ],
)
def test_bad_filter_json_names_the_part(api: Api, filters: object, named: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        api.runs(f"{ENTITY}/{PROJECT}", filters=filters)  # type: ignore[arg-type]
    assert named in str(caught.value)


def nested(depth: int) -> dict[str, object]:
    """``{"$and": [{"$and": [... {"config.lr": 0.1} ...]}]}``, ``depth`` mappings deep."""
    document: dict[str, object] = {"config.lr": 0.1}
    for _ in range(depth - 1):
        document = {"$and": [document]}
    return document


@pytest.mark.parametrize("depth", [600, 5_000, 100_000])
def test_a_filter_nested_too_deeply_is_refused_not_a_recursion_error(api: Api, depth: int) -> None:
    with pytest.raises(InvalidArgumentError, match="nests deeper than 100 levels"):
        api.runs(f"{ENTITY}/{PROJECT}", filters=nested(depth))


def test_a_filter_containing_itself_is_refused(api: Api) -> None:
    looped: dict[str, object] = {"config.lr": 0.1}
    looped["$or"] = [looped]
    with pytest.raises(InvalidArgumentError, match=r"filters\['\$or'\]\[0\] contains itself"):
        api.runs(f"{ENTITY}/{PROJECT}", filters=looped)
    in_a_list: list[object] = []
    in_a_list.append(in_a_list)
    with pytest.raises(InvalidArgumentError, match="contains itself"):
        api.runs(f"{ENTITY}/{PROJECT}", filters={"$and": in_a_list})


def test_a_part_used_twice_is_no_cycle_and_a_deep_enough_filter_runs(api: Api) -> None:
    shared = {"config.lr": {"$gte": 0.0}}
    assert {r.id for r in api.runs(f"{ENTITY}/{PROJECT}", filters={"$and": [shared, shared]})}
    assert {r.id for r in api.runs(f"{ENTITY}/{PROJECT}", filters=nested(40))} == {
        r.id for r in api.runs(f"{ENTITY}/{PROJECT}", filters={"config.lr": 0.1})
    }


def test_order_must_be_a_string(api: Api) -> None:
    with pytest.raises(InvalidArgumentError, match="order must be a string"):
        api.runs(f"{ENTITY}/{PROJECT}", order=None)  # type: ignore[arg-type]
