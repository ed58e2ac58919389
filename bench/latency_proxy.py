"""A loopback TCP proxy that delays every request by a fixed time, to measure clients as if
the server were a network round trip away.

Bytes from the client are forwarded to the server ``delay`` seconds after they arrive, in
order (a chunk is never held longer than ``delay``, so a burst is not serialised); bytes
from the server pass straight back. An HTTP request therefore reaches the server ``delay``
later than it was sent, which is the round trip a remote server adds to each request on a
kept-alive connection (and a TCP handshake costs nothing extra: the connection to the
server is opened at once, its first bytes delayed like any others).

The server sees the proxy's address in ``Host``, so the signed file URLs it hands out point
back through the proxy too.

    python bench/latency_proxy.py --upstream 127.0.0.1:8080 --delay-ms 50 --port 0
    # prints "listening on 127.0.0.1:<port>" once it accepts connections

Example:
    >>> parse_upstream("127.0.0.1:8080")
    ('127.0.0.1', 8080)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time

CHUNK = 1 << 18


def parse_upstream(text: str) -> tuple[str, int]:
    """``host:port`` -> ``(host, port)``."""
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"--upstream must be host:port, got {text!r}")
    return host, int(port)


async def _delayed_pump(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float
) -> None:
    """Forward ``reader`` to ``writer``, each chunk ``delay`` seconds after it arrived."""
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def receive() -> None:
        while chunk := await reader.read(CHUNK):
            queue.put_nowait((time.monotonic() + delay, chunk))
        queue.put_nowait((time.monotonic() + delay, b""))

    receiving = asyncio.create_task(receive())
    try:
        while True:
            due, chunk = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not chunk:
                break
            writer.write(chunk)
            await writer.drain()
    finally:
        receiving.cancel()
        with contextlib.suppress(OSError, RuntimeError):
            writer.write_eof()


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Forward ``reader`` to ``writer`` as it comes."""
    try:
        while chunk := await reader.read(CHUNK):
            writer.write(chunk)
            await writer.drain()
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            writer.write_eof()


async def serve(upstream: tuple[str, int], port: int, delay: float) -> None:
    """Accept connections on ``127.0.0.1:port`` and proxy each to ``upstream``."""

    async def handle(
        client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*upstream)
        except OSError:
            client_writer.close()
            return
        try:
            await asyncio.gather(
                _delayed_pump(client_reader, server_writer, delay),
                _pump(server_reader, client_writer),
                return_exceptions=True,
            )
        finally:
            server_writer.close()
            client_writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(f"listening on 127.0.0.1:{bound}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    """Run the proxy until it is killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", type=parse_upstream, required=True, help="host:port")
    parser.add_argument("--delay-ms", type=float, default=50.0, help="added to every request")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args()
    asyncio.run(serve(args.upstream, args.port, args.delay_ms / 1000))


if __name__ == "__main__":
    main()
