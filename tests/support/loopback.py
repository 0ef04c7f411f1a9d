"""Run an ASGI app with uvicorn on a free loopback port in a thread, for tests that need a real
socket (a browser, half-sent requests). On the path of every test (pyproject: pythonpath)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any


def serve_on_loopback(app: Any, http: Any = "auto") -> Iterator[int]:
    """Yield the port ``app`` answers on (127.0.0.1) until the generator is closed.

    ``http`` is uvicorn's protocol class (``spicetrader.web.server`` passes its own, with
    deadlines); the default is uvicorn's."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, log_level="warning", access_log=False, http=http)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            thread.join(0.05)
        assert server.started, "uvicorn did not start"
        yield port
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
