"""Run the app with uvicorn: one worker, loopback unless told otherwise, closed to the outside.

What ``serve`` adds around the app (:func:`spicetrader.web.app.create_app`):

* a ``Host`` header allow-list (:class:`~spicetrader.web.limits.HostAllowList`): the loopback
  names, plus the bound address and the names given with ``--allow-host``; a web page on another
  site that rebinds its DNS name to 127.0.0.1 cannot drive the app;
* a deadline for a request's headers (:class:`_DeadlineH11`): a client that opens a connection
  and sends half a request line is disconnected after :data:`HEADER_TIMEOUT_S` (uvicorn only
  times out idle keep-alive connections), and a body must arrive within
  :data:`~spicetrader.web.limits.BODY_TIMEOUT_S` (408);
* a short keep-alive (:data:`KEEP_ALIVE_S`) and a cap on open connections.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Final

from spicetrader.web import DEFAULT_HOST, DEFAULT_PORT
from spicetrader.web.limits import LOCAL_HOSTS

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "HEADER_TIMEOUT_S", "allowed_hosts", "serve"]

HEADER_TIMEOUT_S: Final = 10.0
KEEP_ALIVE_S: Final = 5
MAX_CONNECTIONS: Final = 200  # beyond this uvicorn answers 503 at once


def allowed_hosts(host: str, extra: Collection[str] = ()) -> frozenset[str]:
    """The Host names served: loopback names, the bound address (unless a wildcard) and
    ``extra``."""
    names = set(LOCAL_HOSTS) | {h.strip().lower() for h in extra if h.strip()}
    if host not in ("0.0.0.0", "::", ""):
        names.add(host.lower())
    return frozenset(names)


def _protocol() -> type[asyncio.Protocol]:
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class _DeadlineH11(H11Protocol):
        """uvicorn's h11 protocol with a deadline on a request's headers."""

        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            cycle = self.cycle
            self._deadline = self.loop.call_later(HEADER_TIMEOUT_S, self._expire, cycle)

        def _expire(self, cycle: Any) -> None:
            self._deadline = None
            idle = cycle is None or cycle.response_complete
            if self.cycle is cycle and idle and not self.transport.is_closing():
                self.transport.close()  # no new request started in time: half-sent or idle

    return _DeadlineH11


def serve(
    app: FastAPI,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    access_log: bool = True,
    allow_hosts: Collection[str] = (),
) -> None:
    """Serve ``app`` until interrupted (Ctrl-C)."""
    import uvicorn

    from spicetrader.web.limits import HostAllowList

    uvicorn.run(
        HostAllowList(app, allowed_hosts(host, allow_hosts)),
        host=host,
        port=port,
        workers=1,
        access_log=access_log,
        log_level="info",
        http=_protocol(),
        timeout_keep_alive=KEEP_ALIVE_S,
        limit_concurrency=MAX_CONNECTIONS,
    )
