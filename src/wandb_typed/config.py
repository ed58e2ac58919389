"""One resolver for the API key, base URL and default entity/project.

Precedence, highest first, for each value on its own:

1. explicit arguments: ``api_key=`` and ``overrides={"base_url", "entity", "project"}``;
2. environment: ``WANDB_API_KEY``, ``WANDB_BASE_URL``, ``WANDB_ENTITY``, ``WANDB_PROJECT``;
3. the API key only: the ``~/.netrc`` entry (``$NETRC`` honoured) for the base URL's host;
4. the W&B settings file, ``$WANDB_CONFIG_DIR/settings`` or ``~/.config/wandb/settings``
   (INI section ``[default]``, keys ``base_url``, ``entity``, ``project``);
5. the defaults (``https://api.wandb.ai``, no entity, no project).

The API key is held in an :class:`ApiKey`, whose ``repr`` and ``str`` never show it.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from wandb_typed._constants import DEFAULT_BASE_URL
from wandb_typed.errors import ConfigError, InvalidArgumentError

__all__ = ["OVERRIDE_KEYS", "ApiKey", "ClientConfig", "resolve_config"]

OVERRIDE_KEYS = frozenset({"base_url", "entity", "project"})
"""The keys ``overrides=`` accepts."""


class ApiKey:
    """A W&B API key that does not show itself in ``repr``, ``str`` or f-strings.

    Example:
        >>> key = ApiKey("0123456789abcdef")
        >>> key
        ApiKey('********')
        >>> key.reveal()
        '0123456789abcdef'
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not value or not value.strip():
            raise ConfigError("The W&B API key is empty.")
        self._value = value.strip()

    def reveal(self) -> str:
        """The key itself, for the one place that needs it: the Authorization header."""
        return self._value

    def __repr__(self) -> str:
        return "ApiKey('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApiKey):
            return NotImplemented
        return hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> str:
        raise TypeError("An ApiKey cannot be pickled: that would write the key in clear.")


@dataclass(frozen=True)
class ClientConfig:
    """Everything needed to talk to a W&B server, resolved once.

    Example:
        >>> cfg = ClientConfig(base_url="http://localhost:8080", api_key=ApiKey("k" * 40),
        ...                    api_key_source="argument api_key=")
        >>> cfg.graphql_url
        'http://localhost:8080/graphql'
    """

    base_url: str
    api_key: ApiKey
    api_key_source: str
    """Where the key came from, e.g. ``"environment variable WANDB_API_KEY"``."""
    entity: str | None = None
    project: str | None = None

    @property
    def graphql_url(self) -> str:
        """The GraphQL endpoint: ``{base_url}/graphql``."""
        return f"{self.base_url}/graphql"


def resolve_config(
    api_key: str | None = None,
    overrides: Mapping[str, str | None] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> ClientConfig:
    """Resolve the client configuration from arguments, environment, netrc and settings.

    Args:
        api_key: An explicit API key; wins over every other source.
        overrides: ``base_url``, ``entity`` and/or ``project``; win over the environment.
        environ: The environment to read (default ``os.environ``); tests pass a dict.
        home: The home directory for ``~/.netrc`` and ``~/.config`` (default ``Path.home()``).

    Returns:
        A frozen :class:`ClientConfig`.

    Raises:
        ConfigError: No API key anywhere (the message lists every place looked at), or a
            netrc/settings file that cannot be parsed, or a base URL that is not http(s).
        InvalidArgumentError: ``overrides`` has a key other than base_url/entity/project.

    Example:
        >>> cfg = resolve_config(environ={"WANDB_API_KEY": "k" * 40,
        ...                               "WANDB_BASE_URL": "http://localhost:8080/"})
        >>> cfg.base_url, cfg.api_key_source
        ('http://localhost:8080', 'environment variable WANDB_API_KEY')
    """
    env = os.environ if environ is None else environ
    given = dict(overrides or {})
    unknown = sorted(set(given) - OVERRIDE_KEYS)
    if unknown:
        raise InvalidArgumentError(
            f"Unknown override key(s) {unknown}; allowed keys are {sorted(OVERRIDE_KEYS)}."
        )
    home_dir = home if home is not None else _home(env)
    settings_path = _settings_path(env, home_dir)
    settings = _read_settings(settings_path)

    base_url = _normalise_base_url(
        _first(given.get("base_url"), env.get("WANDB_BASE_URL"), settings.get("base_url"))
        or DEFAULT_BASE_URL
    )
    entity = _first(given.get("entity"), env.get("WANDB_ENTITY"), settings.get("entity"))
    project = _first(given.get("project"), env.get("WANDB_PROJECT"), settings.get("project"))
    key, source = _resolve_api_key(api_key, env, base_url, _netrc_path(env, home_dir))
    return ClientConfig(
        base_url=base_url, api_key=key, api_key_source=source, entity=entity, project=project
    )


def _first(*candidates: str | None) -> str | None:
    """The first candidate that is a non-blank string, stripped."""
    for candidate in candidates:
        if candidate is not None and candidate.strip():
            return candidate.strip()
    return None


def _home(env: Mapping[str, str]) -> Path:
    home = env.get("HOME")
    return Path(home) if home else Path.home()


def _settings_path(env: Mapping[str, str], home: Path) -> Path:
    config_dir = env.get("WANDB_CONFIG_DIR")
    base = Path(config_dir) if config_dir else home / ".config" / "wandb"
    return base / "settings"


def _netrc_path(env: Mapping[str, str], home: Path) -> Path:
    explicit = env.get("NETRC")
    return Path(explicit) if explicit else home / ".netrc"


def _normalise_base_url(raw: str) -> str:
    url = raw.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"Invalid W&B base URL {raw!r}: expected http(s)://host[:port], "
            "e.g. 'https://api.wandb.ai' or 'http://localhost:8080'."
        )
    return url


def _read_settings(path: Path) -> dict[str, str]:
    """The ``[default]`` section of the W&B settings file, or ``{}`` when there is none."""
    if not path.is_file():
        return {}
    import configparser  # only when there is a file to read

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the W&B settings file {path}: {exc}") from None
    if not parser.has_section("default"):
        return {}
    return {k: v for k, v in parser.items("default") if k in OVERRIDE_KEYS}


def _resolve_api_key(
    explicit: str | None, env: Mapping[str, str], base_url: str, netrc_path: Path
) -> tuple[ApiKey, str]:
    if explicit is not None:
        if not explicit.strip():
            raise ConfigError("The api_key= argument is empty.")
        return ApiKey(explicit), "argument api_key="
    from_env = env.get("WANDB_API_KEY")
    if from_env is not None and from_env.strip():
        return ApiKey(from_env), "environment variable WANDB_API_KEY"
    parts = urlsplit(base_url)
    machines = [parts.netloc] + ([parts.hostname] if parts.hostname != parts.netloc else [])
    from_netrc = _netrc_password(netrc_path, [m for m in machines if m])
    if from_netrc is not None:
        key, machine = from_netrc
        return ApiKey(key), f"netrc file {netrc_path} (machine {machine!r})"
    netrc_note = (
        f"{netrc_path} (no entry with a password for machine {machines[0]!r})"
        if netrc_path.is_file()
        else f"{netrc_path} (no such file)"
    )
    raise ConfigError(
        "No W&B API key found. Looked in: the api_key= argument (not given), the "
        f"WANDB_API_KEY environment variable (not set), the netrc file {netrc_note}. "
        "Pass api_key=..., set WANDB_API_KEY, or run `wandb login`."
    )


def _netrc_password(path: Path, machines: list[str]) -> tuple[str, str] | None:
    if not path.is_file():
        return None
    import netrc  # only when there is a file to read

    try:
        parsed = netrc.netrc(str(path))
    except (netrc.NetrcParseError, OSError, UnicodeDecodeError) as exc:
        # NetrcParseError's message quotes the offending token, which may be a key: keep
        # only the file and line.
        line = getattr(exc, "lineno", None)
        where = f" line {line}" if line else ""
        raise ConfigError(f"Cannot parse the netrc file {path}{where}.") from None
    for machine in machines:
        entry = parsed.authenticators(machine)
        if entry is not None and entry[2]:
            return entry[2], machine
    return None
