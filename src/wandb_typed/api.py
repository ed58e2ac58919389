"""``Api`` and ``AsyncApi``: the entry points, shaped like ``wandb.Api``.

``AsyncApi`` is written in ``wandb_typed/_async/api.py``; ``Api`` is its generated sync twin
(``wandb_typed/_sync/api.py``). Both compose the methods of the domain packages (runs,
projects, users, teams, ...) over one session.

Example:
    >>> from wandb_typed import Api
    >>> Api(api_key="0" * 40, overrides={"base_url": "http://localhost:8080"})
    Api(base_url='http://localhost:8080', entity=None)
"""

from wandb_typed._async.api import AsyncApi
from wandb_typed._sync.api import Api

__all__ = ["Api", "AsyncApi"]
