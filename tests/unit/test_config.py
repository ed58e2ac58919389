"""Configuration resolution: arguments > environment > netrc > settings file > defaults."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from wandb_typed.config import ApiKey, ClientConfig, resolve_config
from wandb_typed.errors import ConfigError, InvalidArgumentError

KEY_ARG = "arg-key-0123456789abcdef0123456789abcdef"
KEY_ENV = "env-key-0123456789abcdef0123456789abcdef"
KEY_NETRC = "netrc-key-0123456789abcdef0123456789abcd"


def write_netrc(path: Path, machine: str, password: str = KEY_NETRC) -> Path:
    path.write_text(f"machine {machine}\n  login user\n  password {password}\n")
    path.chmod(0o600)
    return path


def write_settings(config_dir: Path, **values: str) -> Path:
    config_dir.mkdir(parents=True, exist_ok=True)
    lines = ["[default]", *(f"{k} = {v}" for k, v in values.items())]
    settings = config_dir / "settings"
    settings.write_text("\n".join(lines) + "\n")
    return settings


def test_explicit_arguments_win_over_everything(tmp_path: Path) -> None:
    write_netrc(tmp_path / ".netrc", "api.wandb.ai")
    write_settings(tmp_path / ".config" / "wandb", base_url="http://settings", entity="s-e")
    env = {
        "WANDB_API_KEY": KEY_ENV,
        "WANDB_BASE_URL": "http://env",
        "WANDB_ENTITY": "env-e",
        "WANDB_PROJECT": "env-p",
    }
    cfg = resolve_config(
        KEY_ARG,
        {"base_url": "http://arg:9000/", "entity": "arg-e", "project": "arg-p"},
        environ=env,
        home=tmp_path,
    )
    assert cfg == ClientConfig(
        base_url="http://arg:9000",
        api_key=ApiKey(KEY_ARG),
        api_key_source="argument api_key=",
        entity="arg-e",
        project="arg-p",
    )


def test_environment_wins_over_netrc_and_settings(tmp_path: Path) -> None:
    write_netrc(tmp_path / ".netrc", "env")
    write_settings(tmp_path / ".config" / "wandb", base_url="http://settings", entity="s-e")
    env = {"WANDB_API_KEY": KEY_ENV, "WANDB_BASE_URL": "http://env", "WANDB_ENTITY": "env-e"}
    cfg = resolve_config(environ=env, home=tmp_path)
    assert cfg.api_key.reveal() == KEY_ENV
    assert cfg.api_key_source == "environment variable WANDB_API_KEY"
    assert (cfg.base_url, cfg.entity, cfg.project) == ("http://env", "env-e", None)


def test_netrc_entry_for_the_base_url_host(tmp_path: Path) -> None:
    netrc = write_netrc(tmp_path / ".netrc", "localhost:8080")
    cfg = resolve_config(environ={"WANDB_BASE_URL": "http://localhost:8080"}, home=tmp_path)
    assert cfg.api_key.reveal() == KEY_NETRC
    assert cfg.api_key_source == f"netrc file {netrc} (machine 'localhost:8080')"


def test_netrc_falls_back_to_the_bare_hostname(tmp_path: Path) -> None:
    write_netrc(tmp_path / ".netrc", "localhost")
    cfg = resolve_config(environ={"WANDB_BASE_URL": "http://localhost:8080"}, home=tmp_path)
    assert cfg.api_key.reveal() == KEY_NETRC


def test_netrc_env_var_is_honoured(tmp_path: Path) -> None:
    custom = write_netrc(tmp_path / "custom-netrc", "api.wandb.ai")
    cfg = resolve_config(environ={"NETRC": str(custom)}, home=tmp_path / "elsewhere")
    assert cfg.api_key.reveal() == KEY_NETRC
    assert str(custom) in cfg.api_key_source


def test_settings_file_supplies_base_url_entity_project(tmp_path: Path) -> None:
    write_settings(
        tmp_path / ".config" / "wandb",
        base_url="http://settings:1234/",
        entity="s-e",
        project="s-p",
    )
    cfg = resolve_config(KEY_ARG, environ={}, home=tmp_path)
    assert (cfg.base_url, cfg.entity, cfg.project) == ("http://settings:1234", "s-e", "s-p")


def test_wandb_config_dir_locates_the_settings_file(tmp_path: Path) -> None:
    write_settings(tmp_path / "cfg", entity="from-config-dir")
    write_settings(tmp_path / ".config" / "wandb", entity="from-home")
    cfg = resolve_config(
        KEY_ARG, environ={"WANDB_CONFIG_DIR": str(tmp_path / "cfg")}, home=tmp_path
    )
    assert cfg.entity == "from-config-dir"


def test_netrc_entry_follows_the_settings_base_url(tmp_path: Path) -> None:
    write_settings(tmp_path / ".config" / "wandb", base_url="https://wandb.example.com")
    write_netrc(tmp_path / ".netrc", "wandb.example.com")
    cfg = resolve_config(environ={}, home=tmp_path)
    assert cfg.base_url == "https://wandb.example.com"
    assert cfg.api_key.reveal() == KEY_NETRC


def test_defaults_when_nothing_but_a_key(tmp_path: Path) -> None:
    cfg = resolve_config(KEY_ARG, environ={}, home=tmp_path)
    assert (cfg.base_url, cfg.entity, cfg.project) == ("https://api.wandb.ai", None, None)
    assert cfg.graphql_url == "https://api.wandb.ai/graphql"


def test_blank_values_count_as_unset(tmp_path: Path) -> None:
    env = {"WANDB_API_KEY": KEY_ENV, "WANDB_ENTITY": "  ", "WANDB_BASE_URL": ""}
    cfg = resolve_config(overrides={"entity": ""}, environ=env, home=tmp_path)
    assert (cfg.base_url, cfg.entity) == ("https://api.wandb.ai", None)


def test_missing_key_names_every_place_looked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_config(environ={"WANDB_BASE_URL": "http://srv:8080"}, home=tmp_path)
    message = str(info.value)
    assert "No W&B API key found" in message
    assert "api_key=" in message
    assert "WANDB_API_KEY" in message
    assert str(tmp_path / ".netrc") in message
    assert "no such file" in message


def test_missing_key_with_a_netrc_for_another_host(tmp_path: Path) -> None:
    write_netrc(tmp_path / ".netrc", "api.wandb.ai")
    with pytest.raises(ConfigError, match="no entry with a password for machine 'srv:8080'"):
        resolve_config(environ={"WANDB_BASE_URL": "http://srv:8080"}, home=tmp_path)


def test_empty_api_key_argument_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="api_key= argument is empty"):
        resolve_config("  ", environ={"WANDB_API_KEY": KEY_ENV}, home=tmp_path)


def test_unknown_override_key(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match=r"Unknown override key\(s\) \['bse_url'\]"):
        resolve_config(KEY_ARG, {"bse_url": "http://x"}, environ={}, home=tmp_path)


@pytest.mark.parametrize("url", ["localhost:8080", "ftp://host", "http://", "api.wandb.ai"])
def test_invalid_base_url(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match="Invalid W&B base URL"):
        resolve_config(KEY_ARG, {"base_url": url}, environ={}, home=tmp_path)


def test_unparsable_netrc_names_the_file_not_its_content(tmp_path: Path) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text(f"machine api.wandb.ai password {KEY_NETRC} bogus-token\n")
    netrc.chmod(0o600)
    with pytest.raises(ConfigError) as info:
        resolve_config(environ={}, home=tmp_path)
    assert str(netrc) in str(info.value)
    assert KEY_NETRC not in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_unparsable_settings_file(tmp_path: Path) -> None:
    settings_dir = tmp_path / ".config" / "wandb"
    settings_dir.mkdir(parents=True)
    (settings_dir / "settings").write_text("no section header\n")
    with pytest.raises(ConfigError, match="Cannot read the W&B settings file"):
        resolve_config(KEY_ARG, environ={}, home=tmp_path)


def test_config_and_key_never_show_the_key(tmp_path: Path) -> None:
    cfg = resolve_config(KEY_ARG, environ={}, home=tmp_path)
    for text in (repr(cfg), str(cfg), repr(cfg.api_key), str(cfg.api_key), f"{cfg.api_key}"):
        assert KEY_ARG not in text
    assert "ApiKey('********')" in repr(cfg)


def test_api_key_refuses_pickling() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(ApiKey(KEY_ARG))


def test_api_key_equality_and_stripping() -> None:
    assert ApiKey(f"  {KEY_ARG}\n") == ApiKey(KEY_ARG)
    assert ApiKey(KEY_ARG) != ApiKey(KEY_ENV)
    assert len({ApiKey(KEY_ARG), ApiKey(KEY_ARG)}) == 1


def test_config_is_frozen(tmp_path: Path) -> None:
    cfg = resolve_config(KEY_ARG, environ={}, home=tmp_path)
    with pytest.raises(AttributeError):
        cfg.base_url = "http://elsewhere"  # type: ignore[misc]
