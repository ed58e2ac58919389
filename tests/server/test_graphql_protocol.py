"""GraphQL transport details the official client relies on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

GraphQL = Callable[..., dict[str, Any]]


def test_document_without_operation_name_runs_its_single_operation(http: httpx.Client) -> None:
    response = http.post(
        "/graphql", json={"query": "#graphql\nquery Anything { viewer { username } }"}
    )
    assert response.json() == {"data": {"viewer": {"username": "admin"}}}


def test_operation_name_picks_one_of_several(http: httpx.Client) -> None:
    query = "query A { viewer { username } } query B { serverInfo { frontendHost } }"
    response = http.post("/graphql", json={"query": query, "operationName": "B"})
    assert response.json() == {
        "data": {"serverInfo": {"frontendHost": str(http.base_url).rstrip("/")}}
    }


def test_unknown_operation_name_is_a_client_error(http: httpx.Client) -> None:
    response = http.post(
        "/graphql", json={"query": "query A { viewer { id } }", "operationName": "Z"}
    )
    assert response.status_code == 400
    assert "'Z'" in response.json()["errors"][0]["message"]


def test_fragments_on_interfaces_aliases_include_and_defaults(
    gql: GraphQL, upsert: Callable[..., dict[str, Any]], project_name: str
) -> None:
    upsert(name="r1", entityName="admin", modelName=project_name, tags=["t"])
    query = """
    query Q($project: String!, $withTags: Boolean = true, $first: Int = 1) {
      project(name: $project, entityName: "admin") {
        first: runs(first: $first) { edges { node { ...NodeId ...RunBits } } }
        again: runs(first: $first) { edges { node { name } } }
      }
    }
    fragment NodeId on Node { id }
    fragment RunBits on Run { runName: name tags @include(if: $withTags) }
    """
    data = gql(query, project=project_name)
    node = data["project"]["first"]["edges"][0]["node"]
    assert node["runName"] == "r1"
    assert node["tags"] == ["t"]
    assert node["id"]
    assert data["project"]["again"]["edges"][0]["node"] == {"name": "r1"}
    without = gql(query, project=project_name, withTags=False)
    assert "tags" not in without["project"]["first"]["edges"][0]["node"]


def test_introspection_is_answered_from_the_schema(gql: GraphQL) -> None:
    data = gql('{ __type(name: "Run") { name fields { name } } __schema { queryType { name } } }')
    names = {field["name"] for field in data["__type"]["fields"]}
    assert {"history", "sampledHistory", "historyKeys", "summaryMetrics", "config"} <= names
    assert data["__schema"]["queryType"]["name"] == "Query"


def test_syntax_error_is_a_400_with_a_message(http: httpx.Client) -> None:
    response = http.post("/graphql", json={"query": "{ viewer { "})
    assert response.status_code == 400
    assert "Syntax Error" in response.json()["errors"][0]["message"]


def test_unknown_field_fails_validation(http: httpx.Client) -> None:
    response = http.post("/graphql", json={"query": "{ viewer { noSuchField } }"})
    assert response.status_code == 400
    assert "noSuchField" in response.json()["errors"][0]["message"]


def test_body_must_be_json_with_a_query(http: httpx.Client) -> None:
    assert http.post("/graphql", content=b"not json").status_code == 400
    response = http.post("/graphql", json={"variables": {}})
    assert response.status_code == 400
    assert "query" in response.json()["errors"][0]["message"]


def test_server_info_features_are_the_artifact_and_registry_ones_that_work(gql: GraphQL) -> None:
    features = gql("{ serverInfo { features { name isEnabled } } }")["serverInfo"]["features"]
    assert all(feature["isEnabled"] for feature in features)
    assert {feature["name"] for feature in features} == {
        "ARTIFACT_TAGS",
        "PROJECT_ARTIFACT_COLLECTION_MEMBERSHIP",
        "ARTIFACT_COLLECTION_MEMBERSHIP_FILES",
        "ARTIFACT_COLLECTION_MEMBERSHIP_FILE_DOWNLOAD_HANDLER",
        "ARTIFACT_MEMBERSHIP_IN_LINK_ARTIFACT_RESPONSE",
        "TOTAL_COUNT_IN_FILE_CONNECTION",
        "USE_ARTIFACT_WITH_ENTITY_AND_PROJECT_INFORMATION",
        "ARTIFACT_REGISTRY_SEARCH",
        "INCLUDE_ARTIFACT_TYPES_IN_REGISTRY_CREATION",
        "FILESTREAM_GZIP",
        "UPDATE_RUN_STATE",
    }


def test_enum_values_in_variables_are_accepted(http: httpx.Client) -> None:
    # ariadne's enum parse_value took one argument while graphql-core passes two: every
    # enum in a variable failed ("takes 1 positional argument but 2 were given").
    query = """query Q($kinds: [ArtifactCollectionType!]) {
      project(name: "no-such-project", entityName: "admin") {
        artifactCollections(collectionTypes: $kinds) { totalCount } } }"""
    response = http.post("/graphql", json={"query": query, "variables": {"kinds": ["SEQUENCE"]}})
    assert response.json() == {"data": {"project": None}}
    bad = http.post("/graphql", json={"query": query, "variables": {"kinds": ["NOPE"]}})
    assert "Value 'NOPE' does not exist in 'ArtifactCollectionType' enum" in bad.text


def test_a_mutation_without_a_resolver_fails_naming_itself(http: httpx.Client) -> None:
    query = 'mutation { createAgent(input: {host: "h", sweep: "s"}) { agent { id } } }'
    payload = http.post("/graphql", json={"query": query}).json()
    assert payload["data"] == {"createAgent": None}
    assert payload["errors"][0]["message"] == (
        "mutation 'createAgent' is not implemented by this server"
    )
