"""Pure parsers for W&B paths: runs, projects, sweeps, reports and artifacts.

Each parser returns a frozen dataclass whose ``str()`` is the canonical path, which the same
parser reads back to an equal value. Missing parts come from ``default_entity`` and
``default_project``; ``default_entity`` may be a zero-argument callable, called only when the
path lacks an entity (so a caller can look the default up lazily over the network).

Accepted forms::

    run       entity/project/runs/id   entity/project/id   entity/project:id
              project/id   project:id   id   https://wandb.ai/entity/project/runs/id?...
    project   entity/project   project   https://wandb.ai/entity/project
    sweep     entity/project/sweeps/id   entity/project/id   project/id   id   (and URLs)
    report    entity/project/reports/Title--ID   project/reports/Title--ID   (and URLs)
    artifact  entity/project/name:alias   project/name:v3   name:latest
              wandb-registry-model/name:v1   (a registry path: entity is the organisation)

Example:
    >>> parse_run_path("team/vision:abc123")
    RunPath(entity='team', project='vision', run_id='abc123')
    >>> str(parse_run_path("abc123", default_entity="team", default_project="vision"))
    'team/vision/runs/abc123'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from wandb_typed.errors import InvalidPathError

__all__ = [
    "REGISTRY_PROJECT_PREFIX",
    "AnyPath",
    "ArtifactPath",
    "EntityDefault",
    "ProjectPath",
    "ReportPath",
    "RunPath",
    "SweepPath",
    "app_url",
    "parse_any_path",
    "parse_artifact_path",
    "parse_project_path",
    "parse_report_path",
    "parse_run_path",
    "parse_sweep_path",
]

REGISTRY_PROJECT_PREFIX = "wandb-registry-"
"""Projects named like this are W&B registries (``wandb-registry-model``, ...)."""

EntityDefault = str | Callable[[], str | None] | None
"""An entity, or a callable giving one (called only when a path lacks an entity)."""


def _equals(path: tuple[str, ...], other: object) -> bool:
    """A path tuple equals the same tuple, and the list ``wandb`` gives for it."""
    if isinstance(other, list):
        return list(path) == other
    return isinstance(other, tuple) and tuple(path) == other


class ProjectPath(NamedTuple):
    """``entity/project``; unpacks, indexes and compares equal to a list as ``wandb``'s
    ``project.path`` (``entity, name = project.path``; ``project.path == [entity, name]``).

    Example:
        >>> entity, name = ProjectPath("team", "vision")
        >>> entity, ProjectPath("team", "vision")[1], ProjectPath("team", "vision") == ["team", "vision"]
        ('team', 'vision', True)
    """

    entity: str
    project: str

    def __str__(self) -> str:
        return f"{self.entity}/{self.project}"

    def __eq__(self, other: object) -> bool:
        return _equals(self, other)

    def __ne__(self, other: object) -> bool:
        return not _equals(self, other)

    def __hash__(self) -> int:
        return hash(tuple(self))


@dataclass(frozen=True)
class RunPath:
    """``entity/project/runs/run_id``."""

    entity: str
    project: str
    run_id: str

    @property
    def project_path(self) -> ProjectPath:
        return ProjectPath(self.entity, self.project)

    def __str__(self) -> str:
        return f"{self.entity}/{self.project}/runs/{self.run_id}"


class SweepPath(NamedTuple):
    """``entity/project/sweeps/sweep_id``; unpacks, indexes and equals a list as ``wandb``'s
    ``sweep.path`` (``[entity, project, sweep_id]``)."""

    entity: str
    project: str
    sweep_id: str

    @property
    def project_path(self) -> ProjectPath:
        return ProjectPath(self.entity, self.project)

    def __eq__(self, other: object) -> bool:
        return _equals(self, other)

    def __ne__(self, other: object) -> bool:
        return not _equals(self, other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __str__(self) -> str:
        return f"{self.entity}/{self.project}/sweeps/{self.sweep_id}"


@dataclass(frozen=True)
class ReportPath:
    """``entity/project/reports/Title--ID``; ``title`` is decoded (``-`` read as a space)."""

    entity: str
    project: str
    report_id: str
    title: str = ""

    @property
    def project_path(self) -> ProjectPath:
        return ProjectPath(self.entity, self.project)

    def __str__(self) -> str:
        slug = "-".join(quote(word, safe="") for word in self.title.split(" "))
        return f"{self.entity}/{self.project}/reports/{slug}--{self.report_id}"


@dataclass(frozen=True)
class ArtifactPath:
    """``entity/project/name[:version]``; ``version`` is an alias or ``vN``, or ``None``."""

    entity: str
    project: str
    name: str
    version: str | None = None

    @property
    def is_registry(self) -> bool:
        """Whether the project is a W&B registry (then ``entity`` is the organisation)."""
        return self.project.startswith(REGISTRY_PROJECT_PREFIX)

    @property
    def qualified_name(self) -> str:
        """``name:version`` (or just ``name`` without a version), as GraphQL expects it."""
        return self.name if self.version is None else f"{self.name}:{self.version}"

    def __str__(self) -> str:
        return f"{self.entity}/{self.project}/{self.qualified_name}"


AnyPath = ProjectPath | RunPath | SweepPath | ReportPath | ArtifactPath
"""What :func:`parse_any_path` returns."""


def parse_run_path(
    path: str, *, default_entity: EntityDefault = None, default_project: str | None = None
) -> RunPath:
    """Parse a run path (see the module docstring for the accepted forms).

    Raises:
        InvalidPathError: A part is empty or missing with no default, naming which.

    Example:
        >>> parse_run_path("https://wandb.ai/team/vision/runs/abc123?nw=1")
        RunPath(entity='team', project='vision', run_id='abc123')
    """
    entity, project, run_id = _parse_object_path(
        path, "run", "runs", default_entity, default_project
    )
    return RunPath(entity, project, run_id)


def parse_sweep_path(
    path: str, *, default_entity: EntityDefault = None, default_project: str | None = None
) -> SweepPath:
    """Parse a sweep path: ``entity/project/sweeps/id``, ``entity/project/id``, ... .

    Example:
        >>> parse_sweep_path("team/vision/sweeps/k3xq9")
        SweepPath(entity='team', project='vision', sweep_id='k3xq9')
    """
    entity, project, sweep_id = _parse_object_path(
        path, "sweep", "sweeps", default_entity, default_project
    )
    return SweepPath(entity, project, sweep_id)


def parse_project_path(path: str, *, default_entity: EntityDefault = None) -> ProjectPath:
    """Parse ``entity/project`` or ``project`` (or an app URL of a project page).

    Example:
        >>> parse_project_path("vision", default_entity="team")
        ProjectPath(entity='team', project='vision')
    """
    parts, is_url = _split(path, "project")
    if is_url:
        parts = parts[:2]
    if len(parts) == 1:
        project = _require(parts[0], "project", path, "project")
        return ProjectPath(_default_entity(default_entity, path, "project"), project)
    if len(parts) == 2:
        entity = _require(parts[0], "entity", path, "project")
        return ProjectPath(entity, _require(parts[1], "project", path, "project"))
    raise _invalid(
        path, "project", f"expected 'entity/project' or 'project', got {len(parts)} parts"
    )


def parse_report_path(path: str, *, default_entity: EntityDefault = None) -> ReportPath:
    """Parse ``entity/project/reports/Title--ID`` (the bare ID also works after ``reports/``).

    Example:
        >>> parse_report_path("team/vision/reports/Loss-curves--Vmlldzox")
        ReportPath(entity='team', project='vision', report_id='Vmlldzox', title='Loss curves')
    """
    parts, is_url = _split(path, "report")
    if is_url and len(parts) > 4 and parts[2] == "reports":
        parts = parts[:4]
    if len(parts) == 3 and parts[1] == "reports":
        parts = [_default_entity(default_entity, path, "report"), *parts]
    if len(parts) != 4 or parts[2] != "reports":
        raise _invalid(path, "report", "expected 'entity/project/reports/Title--ID'")
    entity = _require(parts[0], "entity", path, "report")
    project = _require(parts[1], "project", path, "report")
    slug = parts[3].strip()
    if "--" in slug:
        raw_title, _, report_id = slug.rpartition("--")
    elif "-" in slug:
        raise _invalid(path, "report", "the report part must be 'Title--ID' (two dashes)")
    else:
        raw_title, report_id = "", slug
    report_id = _require(report_id, "report id", path, "report")
    title = unquote(raw_title.replace("-", " ")).strip()
    return ReportPath(entity, project, report_id, title)


def parse_artifact_path(
    path: str, *, default_entity: EntityDefault = None, default_project: str | None = None
) -> ArtifactPath:
    """Parse ``entity/project/name:alias`` and its shorter forms, including registry paths.

    Example:
        >>> parse_artifact_path("wandb-registry-model/resnet:v1", default_entity="acme-org")
        ArtifactPath(entity='acme-org', project='wandb-registry-model', name='resnet', version='v1')
    """
    text = path.strip()
    if not text:
        raise _invalid(path, "artifact", "missing artifact name")
    collection, sep, version = text.partition(":")
    parts = [p.strip() for p in collection.split("/")]
    if len(parts) > 3:
        raise _invalid(
            path,
            "artifact",
            f"expected at most 'entity/project/name:version', got {len(parts)} parts",
        )
    name = _require(parts[-1], "artifact name", path, "artifact")
    if sep and not version.strip():
        raise _invalid(path, "artifact", "missing version or alias after ':'")
    if len(parts) >= 2:
        project = _require(parts[-2], "project", path, "artifact")
    else:
        project = _default_project(default_project, path, "artifact")
    if len(parts) == 3:
        entity = _require(parts[0], "entity", path, "artifact")
    else:
        entity = _default_entity(default_entity, path, "artifact")
    return ArtifactPath(entity, project, name, version.strip() if sep else None)


def parse_any_path(path: str, *, default_entity: EntityDefault = None) -> AnyPath:
    """Dispatch on the shape, as ``Api.from_path`` does: a project, run, sweep, report or
    artifact.

    1 part is a project; 2 parts ``entity/project``; 3 parts a run, or an artifact version
    when the last part has a ``:version``; 4 parts are a run, sweep or report by their third
    part (``runs``, ``sweeps``, ``reports``).

    Example:
        >>> parse_any_path("team/vision/sweeps/k3xq9")
        SweepPath(entity='team', project='vision', sweep_id='k3xq9')
        >>> parse_any_path("team/vision/mnist:v3")
        ArtifactPath(entity='team', project='vision', name='mnist', version='v3')
    """
    parts, is_url = _split(path, "W&B")
    if is_url and len(parts) >= 3 and parts[2] not in ("runs", "sweeps", "reports"):
        parts = parts[:2]  # an app page of a project (workspace, table, overview, ...)
    elif is_url and len(parts) > 4:
        parts = parts[:4]
    if len(parts) <= 2:
        return parse_project_path(path, default_entity=default_entity)
    if len(parts) == 3 and not is_url and ":" in parts[2]:
        return parse_artifact_path(path, default_entity=default_entity)
    if len(parts) == 3:
        return parse_run_path(path, default_entity=default_entity)
    if len(parts) == 4:
        kind = parts[2]
        if kind == "runs":
            return parse_run_path(path, default_entity=default_entity)
        if kind == "sweeps":
            return parse_sweep_path(path, default_entity=default_entity)
        if kind == "reports":
            return parse_report_path(path, default_entity=default_entity)
    raise _invalid(
        path,
        "W&B",
        "expected 'project', 'entity/project', 'entity/project/run_id', "
        "'entity/project/name:version' or 'entity/project/{runs|sweeps|reports}/id'",
    )


# -- shared machinery ---------------------------------------------------------------------


def _parse_object_path(
    path: str,
    kind: str,
    marker: str,
    default_entity: EntityDefault,
    default_project: str | None,
) -> tuple[str, str, str]:
    """entity, project and id of a run or sweep path; ``marker`` is ``runs``/``sweeps``."""
    parts, is_url = _split(path, kind)
    id_label = f"{kind} id"
    if is_url:
        if len(parts) >= 4 and parts[2] == marker:
            parts = parts[:4]
        else:
            raise _invalid(
                path, kind, f"expected an URL like https://host/entity/project/{marker}/id"
            )
    if len(parts) == 4:
        if parts[2] != marker:
            raise _invalid(path, kind, f"the third part must be {marker!r}, got {parts[2]!r}")
        parts = [parts[0], parts[1], parts[3]]
    elif len(parts) == 3 and parts[1] == marker:
        parts = [parts[0], parts[2]]
    elif len(parts) > 4:
        raise _invalid(
            path, kind, f"expected at most 'entity/project/{marker}/id', got {len(parts)} parts"
        )

    entity: str | None = None
    project: str | None = None
    if len(parts) == 3:
        entity = _require(parts[0], "entity", path, kind)
        project = _require(parts[1], "project", path, kind)
        object_id = parts[2]
    elif len(parts) == 2 and ":" in parts[1]:
        entity = _require(parts[0], "entity", path, kind)
        project, _, object_id = parts[1].partition(":")
        project = _require(project, "project", path, kind)
    elif len(parts) == 2:
        project = _require(parts[0], "project", path, kind)
        object_id = parts[1]
    elif ":" in parts[0]:
        project, _, object_id = parts[0].partition(":")
        project = _require(project, "project", path, kind)
    else:
        object_id = parts[0]
    object_id = _require(object_id.strip(), id_label, path, kind)
    if ":" in object_id:
        raise _invalid(path, kind, f"the {id_label} {object_id!r} must not contain ':'")
    if project is None:
        project = _default_project(default_project, path, kind)
    if entity is None:
        entity = _default_entity(default_entity, path, kind)
    return entity, project, object_id


def _split(path: str, kind: str) -> tuple[list[str], bool]:
    """The ``/``-separated parts (stripped), and whether ``path`` was an app URL."""
    if not isinstance(path, str):
        raise InvalidPathError(
            f"A {kind} path must be a string, got {type(path).__name__}", path=repr(path)
        )
    text = path.strip()
    is_url = text.startswith(("http://", "https://"))
    if is_url:
        text = unquote(urlsplit(text).path).strip("/ ")
    if not text:
        raise _invalid(path, kind, "the path is empty")
    return [part.strip() for part in text.split("/")], is_url


def _require(value: str, piece: str, path: str, kind: str) -> str:
    value = value.strip()
    if not value:
        raise _invalid(path, kind, f"missing {piece}")
    return value


def _default_entity(default: EntityDefault, path: str, kind: str) -> str:
    entity = default() if callable(default) else default
    if entity is None or not entity.strip():
        raise _invalid(path, kind, "missing entity (give 'entity/...' or set a default entity)")
    return entity.strip()


def _default_project(default: str | None, path: str, kind: str) -> str:
    if default is None or not default.strip():
        raise _invalid(path, kind, "missing project (give 'project/...' or set a default project)")
    return default.strip()


def _invalid(path: str, kind: str, problem: str) -> InvalidPathError:
    return InvalidPathError(f"Invalid {kind} path {path!r}: {problem}.", path=path)


def app_url(base_url: str) -> str:
    """The web app's URL for an API base URL (``api.wandb.ai`` -> ``wandb.ai``).

    >>> app_url("https://api.wandb.ai"), app_url("http://127.0.0.1:8080/")
    ('https://wandb.ai', 'http://127.0.0.1:8080')
    """
    parts = urlsplit(base_url.rstrip("/"))
    host = parts.netloc
    if host.startswith("api.") and host.removeprefix("api.").split(":")[0].endswith("wandb.ai"):
        host = host.removeprefix("api.")
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
