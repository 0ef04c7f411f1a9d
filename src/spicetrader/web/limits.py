"""Request limits, as plain ASGI middleware: body size and read time, and the Host header.

A workload is a few hundred bytes; anything past the limit is refused with 413 and a JSON body
before the app parses it. Both a declared ``Content-Length`` and a chunked body that grows past
the limit are caught: the body is read (at most ``max_bytes`` + one chunk) and replayed to the app.
A body that has not fully arrived within :data:`BODY_TIMEOUT_S` is answered 408.

:class:`HostAllowList` answers 421 to a request whose ``Host`` is not a name the server is meant
to be reached by (the defence against DNS rebinding: a page on evil.example whose name resolves
to 127.0.0.1 sends ``Host: evil.example``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from typing import Any, Final

__all__ = [
    "BODY_TIMEOUT_S",
    "DEFAULT_MAX_BODY_BYTES",
    "LOCAL_HOSTS",
    "BodySizeLimit",
    "HostAllowList",
    "host_name",
]

DEFAULT_MAX_BODY_BYTES = 64 * 1024
BODY_TIMEOUT_S: Final = 10.0
LOCAL_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "::1"})

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]


class BodySizeLimit:
    """Refuse HTTP request bodies larger than ``max_bytes`` with 413."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = DEFAULT_MAX_BODY_BYTES,
        timeout_s: float = BODY_TIMEOUT_S,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        deadline = asyncio.get_running_loop().time() + self.timeout_s
        while True:
            left = deadline - asyncio.get_running_loop().time()
            try:
                message = await asyncio.wait_for(receive(), timeout=max(left, 0.001))
            except TimeoutError:
                late = f"the request body did not arrive within {self.timeout_s:g} s"
                await _send_json(send, 408, "RequestTimeout", late)
                return
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(chunks, None, receive), send)

    async def _refuse(self, send: Send) -> None:
        await _send_json(
            send, 413, "PayloadTooLarge",
            f"request body larger than {self.max_bytes} bytes; a workload is a small JSON document",
        )  # fmt: skip


class HostAllowList:
    """Answer 421 (JSON) to HTTP requests whose ``Host`` header names no allowed host."""

    def __init__(self, app: ASGIApp, allowed: Collection[str] = LOCAL_HOSTS) -> None:
        self.app = app
        self.allowed = frozenset(h.lower() for h in allowed)

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = host_name(_header(scope, b"host"))
            if host not in self.allowed:
                shown = ", ".join(sorted(self.allowed))
                await _send_json(
                    send, 421, "HostNotAllowed",
                    f"this server answers to {shown}, not to Host {host!r:.80}; to reach it by "
                    "another name, start it with `spice serve --allow-host NAME`",
                )  # fmt: skip
                return
        await self.app(scope, receive, send)


def host_name(value: str | None) -> str | None:
    """The host of a ``Host`` header value, lower-case, without its port (``[::1]:80`` ->
    ``::1``); None when absent."""
    if value is None:
        return None
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _header(scope: MutableMapping[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _send_json(send: Send, status: int, error: str, message: str) -> None:
    body = json.dumps({"error": error, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _content_length(scope: MutableMapping[str, Any]) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(chunks: list[bytes], pending: Message | None, receive: Receive) -> Receive:
    """A ``receive`` that hands out the buffered body once, then defers to the real one."""
    first: list[Message] = (
        [pending] if pending is not None else [{"type": "http.request", "body": b"".join(chunks)}]
    )

    async def replay() -> Message:
        if first:
            return first.pop()
        return await receive()

    return replay
