"""``User`` built from the generated fragment: keys hidden, teams and flags decoded."""

from __future__ import annotations

from wandb_typed._generated.fragments import UserFragment
from wandb_typed.users import User

SECRET = "user-key-0123456789abcdef0123456789abcdef"


def fragment(**overrides: object) -> UserFragment:
    raw: dict[str, object] = {
        "id": "VXNlcjox",
        "name": "Alice Example",
        "username": "alice",
        "email": "alice@example.com",
        "admin": None,
        "entity": "vision-team",
        "flags": '{"beta": true}',
        "deletedAt": None,
        "apiKeys": {"edges": [{"node": {"id": "k1", "name": SECRET, "description": "ci"}}]},
        "teams": {"edges": [{"node": {"name": "vision-team"}}, {"node": None}]},
    }
    raw.update(overrides)
    return UserFragment.model_validate(raw)


def test_user_from_fragment() -> None:
    user = User._from_fragment(fragment())
    assert (user.id, user.username, user.entity) == ("VXNlcjox", "alice", "vision-team")
    assert user.admin is False
    assert user.flags == {"beta": True}
    assert user.teams == ("vision-team",)
    assert [(k.id, k.description) for k in user.api_keys] == [("k1", "ci")]
    assert user.api_keys[0].key.reveal() == SECRET
    assert str(user) == "alice"


def test_user_repr_hides_api_keys() -> None:
    user = User._from_fragment(fragment())
    assert SECRET not in repr(user)
    assert SECRET not in str(user)


def test_user_without_optional_parts() -> None:
    user = User._from_fragment(
        fragment(username=None, flags=None, apiKeys=None, teams=None, admin=True)
    )
    assert user.flags == {}
    assert user.api_keys == ()
    assert user.teams == ()
    assert user.admin is True
    assert str(user) == "Alice Example"


def _viewer_json(user_id: str, username: str) -> dict[str, object]:
    return {
        "id": user_id,
        "name": username.title(),
        "username": username,
        "email": f"{username}@example.com",
        "admin": None,
        "entity": username,
        "flags": None,
        "deletedAt": None,
        "apiKeys": None,
        "teams": None,
    }


def test_generate_api_key_as_listed_key_goes_through_the_session_transport() -> None:
    """A user fetched with another user's key acts through the Api's own ``transport=``
    (the old code built a fresh transport without it: a mock user went to the network)."""
    import base64
    import json

    import httpx

    from wandb_typed._generated.client import Client
    from wandb_typed._sync.session import Session
    from wandb_typed._sync.transport import GraphQLTransport
    from wandb_typed.config import ApiKey, ClientConfig

    admin_key = "admin-key-0123456789abcdef0123456789abcd"
    keys = {admin_key: ("VXNlcjow", "admin"), SECRET: ("VXNlcjox", "alice")}
    seen: list[tuple[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        auth = base64.b64decode(request.headers["Authorization"].split()[1]).decode()
        key = auth.split(":", 1)[1]
        operation = json.loads(request.content)["operationName"]
        seen.append((operation, keys[key][1] if key in keys else "?"))
        if key not in keys:
            return httpx.Response(401, json={"errors": [{"message": "bad key"}]})
        if operation == "GetViewer":
            return httpx.Response(200, json={"data": {"viewer": _viewer_json(*keys[key])}})
        assert operation == "GenerateApiKey"
        created = {"id": "k2", "name": "new-secret-" + "0" * 29, "description": "CI"}
        return httpx.Response(200, json={"data": {"generateApiKey": {"apiKey": created}}})

    base_url = "http://wandb.invalid"
    transport = GraphQLTransport(
        base_url, ApiKey(admin_key), transport=httpx.MockTransport(handler)
    )
    config = ClientConfig(base_url=base_url, api_key=ApiKey(admin_key), api_key_source="test")
    session = Session(config, transport, Client(transport))
    user = User._from_fragment(fragment(), session=session)

    new = user.generate_api_key("CI")

    assert (new.id, new.description) == ("k2", "CI")
    assert seen == [("GetViewer", "admin"), ("GetViewer", "alice"), ("GenerateApiKey", "alice")]
