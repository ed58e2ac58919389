"""One test body for both flavours of the client: ``Api``, and ``AsyncApi`` seen through the
sync interface.

``AsyncApi`` has the methods, arguments and errors of ``Api``; the two differ only where
Python's sync protocols cannot await (README, "AsyncApi"). So a test written against ``Api``
exercises ``AsyncApi`` too when the async objects are presented as their sync twins would be.
That is what :class:`Bridged` does, generically (no table of methods):

* a call runs on the :class:`Portal`'s event loop (a coroutine's result is awaited there);
* an attribute that is a ``@property`` on the sync twin (``wandb_typed.<name without Async>``)
  and an ``async def`` on the async class (``run.config``, ``api.viewer``) is awaited on access;
* an async iterator becomes a sync iterator (``for run in runs``, ``run.scan_history()``);
* ``len(x)`` is ``await x.total_count()``, ``bool(x)`` is ``not await x.is_empty()``,
  ``x[i]`` is ``await x[i]``, ``with x`` is ``async with x``, ``x.close()`` is ``await
  x.aclose()`` (the renamings of ``codegen/unasync.py``) where the async object has those;
* setting an attribute passes through; ``==``, ``hash``, ``repr`` and ``str`` are the
  wrapped object's;
* a result that is a ``wandb_typed`` ``Async*`` object (alone, or in a list or tuple: then
  a new list or tuple of proxies) is bridged again; any other value is passed as it is
  (``run.tags.append`` changes the run's list). The same object always shows through the
  same proxy while one is held, so ``is`` still tells cached objects apart.

Nothing is translated back: the proxy runs the real async code (``AsyncApi``, the asyncio
read-ahead tasks of ``AsyncRuns``, the async transport). ``isinstance(x, Run)`` cannot hold
for a proxy; tests ask :func:`is_a` instead.

Example:
    >>> from wandb_typed import AsyncApi
    >>> with Portal() as portal:
    ...     api = bridge(AsyncApi(api_key="0" * 40, overrides={"base_url": "http://h"}), portal)
    ...     (api.timeout, repr(api), is_a(api, "Api"))
    (19.0, "AsyncApi(base_url='http://h', entity=None)", True)
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import inspect
import operator
import threading
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Literal, TypeVar

import pytest

import wandb_typed

__all__ = [
    "FLAVOURS",
    "Bridged",
    "Flavour",
    "Portal",
    "bridge",
    "is_a",
    "is_bridged",
    "on_session",
    "open_api",
    "replace",
    "sync_only",
    "unwrap",
]

T = TypeVar("T")

Flavour = Literal["sync", "async"]
FLAVOURS: tuple[Flavour, ...] = ("sync", "async")

sync_only = pytest.mark.parametrize("flavour", ["sync"], indirect=True)
"""Marks a test that is inherently sync-only (a comment beside it says why): it runs with
the ``sync`` flavour only."""


class Portal:
    """An event loop running in a daemon thread, called from sync code (as anyio's
    ``BlockingPortal``): :meth:`call` runs a function there and waits for its result.

    Everything async runs on this one loop, so an ``AsyncApi``'s connections, locks and
    tasks all belong to it, as in an async program.
    """

    def __init__(self, name: str = "flavours-portal") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()
        self._proxies: weakref.WeakValueDictionary[int, Bridged] = weakref.WeakValueDictionary()

    def call(self, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)`` run on the loop (awaited if it returns an
        awaitable); raises what it raised."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("Portal.call from the portal's own thread would deadlock")

        async def run() -> Any:
            result = function(*args, **kwargs)
            return await result if inspect.isawaitable(result) else result

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result()

    def close(self) -> None:
        """Cancel what still runs on the loop (read-ahead nobody took), then stop it."""
        if not self._thread.is_alive():
            return

        async def cancel_the_rest() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._loop.shutdown_asyncgens()

        self.call(cancel_the_rest)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> Portal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@functools.cache
def _client_class(cls: type) -> type | None:
    """The client's async class ``cls`` is or derives from (``AsyncRun``, ``AsyncRuns``,
    ``AsyncClient``, ...): the first ``wandb_typed`` class named ``Async*`` in its MRO."""
    for base in cls.__mro__:
        if base.__name__.startswith("Async") and base.__module__.startswith("wandb_typed"):
            return base
    return None


@functools.cache
def _awaited_on_access(cls: type, name: str) -> bool:
    """Whether ``name`` is a lazy property of the sync twin and an ``async def`` here."""
    client_class = _client_class(cls)
    twin = (
        getattr(wandb_typed, client_class.__name__[len("Async") :], None) if client_class else None
    )
    if not isinstance(twin, type):
        return False
    sync_member = inspect.getattr_static(twin, name, None)
    async_member = inspect.getattr_static(cls, name, None)
    return isinstance(sync_member, property) and inspect.iscoroutinefunction(async_member)


def bridge(value: T, portal: Portal) -> T:
    """``value`` as sync code sees it: async client objects wrapped in :class:`Bridged`
    (lists and tuples of them too), async iterators made sync; anything else as it is."""
    if isinstance(value, Bridged):
        return value
    if _client_class(type(value)) is not None:
        proxy = portal._proxies.get(id(value))
        if proxy is None or proxy._bridged_target is not value:
            proxy = Bridged(value, portal)
            portal._proxies[id(value)] = proxy
        return proxy
    if isinstance(value, AsyncIterator):
        return _iterate(value, portal)
    if type(value) in (list, tuple):
        items = [bridge(item, portal) for item in value]
        if any(new is not old for new, old in zip(items, value, strict=True)):
            return type(value)(items)
    return value


def _iterate(iterator: AsyncIterator[Any], portal: Portal) -> Iterator[Any]:
    """A sync iterator stepping ``iterator`` on the portal; closing it closes ``iterator``."""
    try:
        while True:
            try:
                item = portal.call(anext, iterator)
            except StopAsyncIteration:
                return
            yield bridge(item, portal)
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None and threading.current_thread() is not portal._thread:
            portal.call(aclose)


def unwrap(value: T) -> T:
    """The async object behind a proxy (anything else as it is)."""
    return value._bridged_target if isinstance(value, Bridged) else value


class Bridged:
    """An async client object presented through its sync twin's interface (see the module)."""

    __slots__ = ("__weakref__", "_bridged_portal", "_bridged_target")

    _bridged_target: Any
    _bridged_portal: Portal

    def __init__(self, target: object, portal: Portal) -> None:
        object.__setattr__(self, "_bridged_target", target)
        object.__setattr__(self, "_bridged_portal", portal)

    def _run(self, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Call on the portal with proxies unwrapped; the result bridged."""
        args = tuple(unwrap(arg) for arg in args)
        kwargs = {key: unwrap(arg) for key, arg in kwargs.items()}
        return bridge(self._bridged_portal.call(function, *args, **kwargs), self._bridged_portal)

    def __getattr__(self, name: str) -> Any:
        target = self._bridged_target
        if _awaited_on_access(type(target), name):
            return self._run(getattr(target, name))
        if name == "close" and not hasattr(target, "close") and hasattr(target, "aclose"):
            name = "aclose"
        value = getattr(target, name)
        if callable(value) and not isinstance(value, type):
            return functools.wraps(value)(functools.partial(self._run, value))
        return bridge(value, self._bridged_portal)

    def __setattr__(self, name: str, value: object) -> None:
        setattr(self._bridged_target, name, unwrap(value))

    def __dir__(self) -> list[str]:
        return dir(self._bridged_target)

    # -- protocols a sync listing or mapping has ---------------------------------------------

    def __iter__(self) -> Iterator[Any]:
        target = self._bridged_target
        if hasattr(target, "__aiter__"):
            return _iterate(aiter(target), self._bridged_portal)
        return (bridge(item, self._bridged_portal) for item in iter(target))

    def __len__(self) -> int:
        target = self._bridged_target
        count = target.total_count if hasattr(target, "total_count") else target.__len__
        return int(self._run(count))

    def __bool__(self) -> bool:
        target = self._bridged_target
        if hasattr(target, "is_empty"):
            return not self._run(target.is_empty)
        return bool(target)

    def __getitem__(self, key: object) -> Any:
        return self._run(operator.getitem, self._bridged_target, key)

    def __setitem__(self, key: object, value: object) -> None:
        self._run(operator.setitem, self._bridged_target, key, value)

    def __delitem__(self, key: object) -> None:
        self._run(operator.delitem, self._bridged_target, key)

    def __contains__(self, key: object) -> bool:
        return bool(self._run(operator.contains, self._bridged_target, key))

    def __enter__(self) -> Any:
        return self._run(self._bridged_target.__aenter__)

    def __exit__(self, *exc_info: object) -> None:
        self._run(self._bridged_target.__aexit__, *exc_info)

    # -- identity of the wrapped object ------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return bool(self._bridged_target == unwrap(other))

    def __hash__(self) -> int:
        return hash(self._bridged_target)

    def __repr__(self) -> str:
        return repr(self._bridged_target)

    def __str__(self) -> str:
        return str(self._bridged_target)


def is_bridged(value: object) -> bool:
    """Whether ``value`` is an async object seen through the bridge."""
    return isinstance(value, Bridged)


def is_a(value: object, name: str) -> bool:
    """``isinstance(value, wandb_typed.<name>)``, or for a proxy, whether it wraps a
    ``wandb_typed.Async<name>`` (``is_a(run, "Run")``): the flavour-neutral type check."""
    if isinstance(value, Bridged):
        return isinstance(value._bridged_target, getattr(wandb_typed, "Async" + name))
    return isinstance(value, getattr(wandb_typed, name))


def replace(value: T, /, **changes: Any) -> T:
    """``dataclasses.replace`` that keeps a proxy a proxy (on the same portal)."""
    if isinstance(value, Bridged):
        return bridge(dataclasses.replace(value._bridged_target, **changes), value._bridged_portal)
    return dataclasses.replace(value, **changes)


def on_session(
    api: Any,
    sync_function: Callable[..., Any],
    async_function: Callable[..., Awaitable[Any] | Any],
    /,
    *args: Any,
    **kwargs: Any,
) -> Any:
    """Call a client function that takes the ``Api``'s session, in the api's flavour:
    ``sync_function(api._session, ...)`` for an ``Api``, ``async_function`` on the portal
    for a bridged ``AsyncApi`` (e.g. ``Files`` / ``AsyncFiles``)."""
    if isinstance(api, Bridged):
        return api._run(async_function, api._bridged_target._session, *args, **kwargs)
    return sync_function(api._session, *args, **kwargs)


def open_api(
    flavour: Flavour, portal: Portal, *, mixin: type | None = None, **arguments: Any
) -> Any:
    """A new ``Api(**arguments)``, or in the async flavour an ``AsyncApi`` seen through the
    bridge; with ``mixin``, a subclass of either with ``mixin`` first among its bases."""
    base: type = wandb_typed.Api if flavour == "sync" else wandb_typed.AsyncApi
    cls = base if mixin is None else type(mixin.__name__ + base.__name__, (mixin, base), {})
    if flavour == "sync":
        api = cls(**arguments)
        assert isinstance(api, wandb_typed.Api)
        return api
    api = bridge(portal.call(cls, **arguments), portal)
    assert isinstance(unwrap(api), wandb_typed.AsyncApi), "the async flavour must use AsyncApi"
    return api
