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
