"""Organizations: the default one of a fresh data dir, more made with ``wandb-typed server
--data-dir D org ...``, and what GraphQL answers about them (organization by name, a user's
organizations, an entity's organization); the Mongo-style matcher of registry searches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from wandb_typed import Api
from wandb_typed.cli import main
from wandb_typed.errors import InvalidArgumentError
from wandb_typed_server import start_in_thread
from wandb_typed_server.storage.mongo_match import MatchError, matches

ORGS = "{ viewer { organizations { name orgEntity { name entityType } } } }"


def _graphql(base_url: str, key: str, query: str, **variables: Any) -> dict[str, Any]:
    reply = httpx.post(
        f"{base_url}/graphql",
        auth=("api", key),
        json={"query": query, "variables": variables},
        timeout=30,
    )
    reply.raise_for_status()
    body: dict[str, Any] = reply.json()
    return body


def test_org_commands_create_list_and_add_members(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert (
        main(["server", "--data-dir", str(data), "org", "create", "acme", "--member", "admin"]) == 0
    )
    out = capsys.readouterr().out
    assert "organization acme (org entity acme-org)" in out
    assert "admin API key" in out  # a fresh data dir: its admin key is shown once
    assert (
        main(["server", "--data-dir", str(data), "org", "create", "beta", "--entity", "b-ent"]) == 0
    )
    capsys.readouterr()
    assert main(["server", "--data-dir", str(data), "org", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "acme\tacme-org",
        "beta\tb-ent",
        "local\tlocal-org",
    ]
    assert main(["server", "--data-dir", str(data), "org", "create", "acme"]) == 1
    assert "organization 'acme' already exists" in capsys.readouterr().err
    assert main(["server", "--data-dir", str(data), "org", "add-member", "nope", "admin"]) == 1
    assert "organization 'nope' not found (known: acme, beta, local)" in capsys.readouterr().err
    assert main(["server", "--data-dir", str(data), "org", "add-member", "beta", "ghost"]) == 1
    assert "user 'ghost' not found" in capsys.readouterr().err
    assert main(["server", "--data-dir", str(data), "org", "add-team", "beta", "nope"]) == 1
    assert "team 'nope' not found" in capsys.readouterr().err

    with start_in_thread(data) as server:
        orgs = _graphql(server.base_url, server.api_key, ORGS)["data"]["viewer"]["organizations"]
        assert orgs == [
            {"name": "acme", "orgEntity": {"name": "acme-org", "entityType": "organization"}},
            {"name": "local", "orgEntity": {"name": "local-org", "entityType": "organization"}},
        ]
        # The admin belongs to two organizations: its own entity names none of them.
        entity = _graphql(
            server.base_url,
            server.api_key,
            "query($e: String!) { entity(name: $e) { organization { name } } }",
            e="admin",
        )
        assert entity["data"]["entity"]["organization"] is None
        by_entity = _graphql(
            server.base_url,
            server.api_key,
            "query($n: String!) { organization(name: $n) { name orgEntity { name } } }",
            n="b-ent",
        )
        assert by_entity["data"]["organization"] == {"name": "beta", "orgEntity": {"name": "b-ent"}}
        # Our client then needs organization= (the error names the choices), as wandb does.
        with Api(api_key=server.api_key, overrides={"base_url": server.base_url}) as api:
            with pytest.raises(
                InvalidArgumentError, match="several organizations \\('acme', 'local'\\)"
            ):
                api.registries()
            assert list(api.registries("acme")) == []
            made = api.create_registry("models", "organization", organization="b-ent")
            assert (made.organization, made.entity) == ("beta", "b-ent")


def test_a_fresh_data_dir_has_the_default_organization(tmp_path: Path) -> None:
    with start_in_thread(tmp_path) as server:
        reply = _graphql(
            server.base_url,
            server.api_key,
            '{ entity(name: "admin") { organization { name orgEntity { name } } } }',
        )
        assert reply["data"]["entity"]["organization"] == {
            "name": "local",
            "orgEntity": {"name": "local-org"},
        }
        features = _graphql(server.base_url, server.api_key, "{ serverInfo { features { name } } }")
        names = {f["name"] for f in features["data"]["serverInfo"]["features"]}
        assert {"ARTIFACT_REGISTRY_SEARCH", "INCLUDE_ARTIFACT_TYPES_IN_REGISTRY_CREATION"} <= names
        no_search = _graphql(
            server.base_url,
            server.api_key,
            '{ entity(name: "admin") { artifactCollections { totalCount } } }',
        )
        assert "'admin' is not an organization's entity" in no_search["errors"][0]["message"]


DOC = {
    "name": "wandb-registry-model",
    "tag": ["prod", "best"],
    "metadata": {"accuracy": 0.91, "layers": [32, 64]},
    "created_at": "2026-01-02T03:04:05.000000",
    "description": None,
}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"name": "wandb-registry-model"}, True),
        ({"name": {"$regex": "MODEL", "$options": "i"}}, True),
        ({"name": {"$regex": "^model"}}, False),
        ({"tag": "prod"}, True),
        ({"tag": {"$in": ["x", "best"]}}, True),
        ({"tag": {"$nin": ["prod"]}}, False),
        ({"tag": {"$all": ["prod", "best"]}}, True),
        ({"tag": {"$ne": "prod"}}, False),
        ({"metadata.accuracy": {"$gt": 0.9, "$lte": 0.91}}, True),
        ({"metadata.layers": 64}, True),
        ({"metadata.missing": {"$exists": False}}, True),
        ({"created_at": {"$gte": "2026-01-02"}}, True),
        ({"created_at": {"$lt": "2026-01-02T03:00:00Z"}}, False),
        ({"description": None}, True),
        ({"$or": [{"tag": "nope"}, {"name": {"$regex": "model$"}}]}, True),
        ({"$and": [{"tag": "prod"}, {"tag": "nope"}]}, False),
        ({"$nor": [{"tag": "nope"}]}, True),
        ({"metadata.accuracy": {"$not": {"$gt": 0.95}}}, True),
    ],
)
def test_mongo_filters_match_like_mongo(filters: dict[str, Any], expected: bool) -> None:
    assert matches(DOC, filters) is expected


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"name": {"$where": "x"}}, "unsupported filter operator '$where' on 'name'"),
        ({"$text": "x"}, "unsupported filter operator '$text'"),
        ({"tag": {"$in": "prod"}}, "$in on 'tag' needs a list"),
        ({"name": {"$regex": "("}}, "invalid $regex '('"),
        ({"created_at": {"$gt": "yesterday"}}, "'created_at' needs an ISO 8601 timestamp"),
    ],
)
def test_bad_filters_are_refused_naming_the_part(filters: dict[str, Any], message: str) -> None:
    with pytest.raises(MatchError) as error:
        matches(DOC, filters)
    assert message in str(error.value)
