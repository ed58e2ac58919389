"""What a user's program gets from ``Api``: every member, with the type it has."""

from __future__ import annotations

from typing_extensions import assert_type

from wandb_typed import (
    Api,
    Artifact,
    ArtifactCollection,
    ArtifactCollections,
    Artifacts,
    ArtifactType,
    ArtifactTypes,
    ClientConfig,
    Project,
    Projects,
    Run,
    Runs,
    Team,
    User,
)
from wandb_typed._generated.client import Client
from wandb_typed._sync.transport import GraphQLTransport


def check_api_construction() -> None:
    with Api(api_key="0" * 40, overrides={"base_url": "http://localhost:8080"}) as api:
        assert_type(api, Api)


def check_api_options(api: Api) -> None:
    assert_type(api.with_options(timeout=5.0, max_retries=2), Api)
    assert_type(Api(timeout=30, max_retries=0), Api)


def check_api_reads(api: Api) -> None:
    assert_type(api.run("team/vision/abc123"), Run)
    assert_type(api.runs("team/vision", filters={"state": "finished"}, order="-created_at"), Runs)
    assert_type(api.project("vision", entity="team"), Project)
    assert_type(api.projects("team", per_page=10), Projects)
    assert_type(api.from_path("team/vision/runs/abc123"), object)
    assert_type(api.user("alice"), User | None)
    assert_type(api.users("alice"), list[User])
    assert_type(api.viewer, User)
    assert_type(api.team("team"), Team)
    assert_type(api.default_entity, str | None)


def check_api_artifacts(api: Api) -> None:
    assert_type(api.artifact("team/vision/dataset:v0", type="dataset"), Artifact)
    assert_type(api.artifact_exists("team/vision/dataset:v0"), bool)
    assert_type(api.artifact_collection("dataset", "team/vision/dataset"), ArtifactCollection)
    assert_type(api.artifact_collection_exists("team/vision/dataset", "dataset"), bool)
    assert_type(api.artifact_collections("team/vision", "dataset"), ArtifactCollections)
    assert_type(api.artifact_type("dataset", project="team/vision"), ArtifactType)
    assert_type(api.artifact_types("team/vision"), ArtifactTypes)
    assert_type(api.artifact_versions("dataset", "team/vision/dataset"), Artifacts)
    assert_type(api.artifacts("dataset", "team/vision/dataset", tags=["clean"]), Artifacts)


def check_api_writes(api: Api) -> None:
    assert_type(api.create_project("vision", "team"), Project)
    assert_type(api.create_run(run_id="abc123", project="vision", entity="team"), Run)
    assert_type(api.create_team("team", admin_username="alice"), Team)
    assert_type(api.create_user("alice@example.com", admin=False), User)


def check_api_settings(api: Api) -> None:
    assert_type(api.client, Client)
    assert_type(api.transport, GraphQLTransport)
    assert_type(api.config, ClientConfig)
    assert_type(api.settings, dict[str, str | None])
    assert_type(api.timeout, float)
    assert_type(api.max_retries, int)
    assert_type(api.user_agent, str)
    assert_type(api.flush(), None)
    assert_type(api.close(), None)


def check_client_config(config: ClientConfig) -> None:
    assert_type(config.api_key.reveal(), str)
    assert_type(config.api_key_source, str)
    assert_type(config.base_url, str)
    assert_type(config.graphql_url, str)
    assert_type(config.entity, str | None)
    assert_type(config.project, str | None)
