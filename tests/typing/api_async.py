"""What a user's program gets from ``AsyncApi``: every member awaited, with its type."""

from __future__ import annotations

from typing_extensions import assert_type

from wandb_typed import (
    AsyncApi,
    AsyncArtifact,
    AsyncArtifactCollection,
    AsyncArtifactCollections,
    AsyncArtifacts,
    AsyncArtifactType,
    AsyncArtifactTypes,
    AsyncProject,
    AsyncProjects,
    AsyncRun,
    AsyncRuns,
    AsyncTeam,
    AsyncUser,
    ClientConfig,
)
from wandb_typed._async.transport import AsyncGraphQLTransport
from wandb_typed._generated.async_client import AsyncClient


async def check_api_construction() -> None:
    async with AsyncApi(api_key="0" * 40, overrides={"base_url": "http://localhost:8080"}) as api:
        assert_type(api, AsyncApi)


async def check_api_options(api: AsyncApi) -> None:
    assert_type(api.with_options(timeout=5.0, max_retries=2), AsyncApi)


async def check_api_reads(api: AsyncApi) -> None:
    assert_type(await api.run("team/vision/abc123"), AsyncRun)
    assert_type(await api.runs("team/vision", filters={"state": "finished"}), AsyncRuns)
    assert_type(await api.project("vision", entity="team"), AsyncProject)
    assert_type(await api.projects("team", per_page=10), AsyncProjects)
    assert_type(await api.from_path("team/vision/runs/abc123"), object)
    assert_type(await api.user("alice"), AsyncUser | None)
    assert_type(await api.users("alice"), list[AsyncUser])
    assert_type(await api.viewer(), AsyncUser)
    assert_type(await api.team("team"), AsyncTeam)
    assert_type(await api.default_entity(), str | None)


async def check_api_artifacts(api: AsyncApi) -> None:
    assert_type(await api.artifact("team/vision/dataset:v0", type="dataset"), AsyncArtifact)
    assert_type(await api.artifact_exists("team/vision/dataset:v0"), bool)
    assert_type(
        await api.artifact_collection("dataset", "team/vision/dataset"), AsyncArtifactCollection
    )
    assert_type(await api.artifact_collection_exists("team/vision/dataset", "dataset"), bool)
    assert_type(await api.artifact_collections("team/vision", "dataset"), AsyncArtifactCollections)
    assert_type(await api.artifact_type("dataset", project="team/vision"), AsyncArtifactType)
    assert_type(await api.artifact_types("team/vision"), AsyncArtifactTypes)
    assert_type(await api.artifact_versions("dataset", "team/vision/dataset"), AsyncArtifacts)
    assert_type(await api.artifacts("dataset", "team/vision/dataset", tags=["a"]), AsyncArtifacts)


async def check_api_writes(api: AsyncApi) -> None:
    assert_type(await api.create_project("vision", "team"), AsyncProject)
    assert_type(await api.create_run(run_id="abc123", project="vision"), AsyncRun)
    assert_type(await api.create_team("team", admin_username="alice"), AsyncTeam)
    assert_type(await api.create_user("alice@example.com", admin=False), AsyncUser)


async def check_api_settings(api: AsyncApi) -> None:
    assert_type(api.client, AsyncClient)
    assert_type(api.transport, AsyncGraphQLTransport)
    assert_type(api.config, ClientConfig)
    assert_type(api.settings, dict[str, str | None])
    assert_type(api.timeout, float)
    assert_type(api.max_retries, int)
    assert_type(api.user_agent, str)
    assert_type(api.flush(), None)
    assert_type(await api.aclose(), None)
