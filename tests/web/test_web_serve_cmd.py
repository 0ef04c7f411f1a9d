"""``spice serve`` through the real entry point: options, loopback default, a live server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from typer.testing import CliRunner

from spicetrader.cli.app import app


def test_serve_help_shows_loopback_default() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "127.0.0.1" in result.output
    assert "8000" in result.output


def test_serve_rejects_a_bad_port_with_exit_2() -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> object:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
    with opener.open(url, timeout=5) as response:
        return json.loads(response.read())


def test_spice_serve_answers_on_loopback() -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "spicetrader", "serve", "--port", str(port), "--no-access-log"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 30
        rows = None
        while rows is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                rows = _get(f"http://127.0.0.1:{port}/api/hardware?q=4090")
            except OSError:
                time.sleep(0.2)
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        assert isinstance(rows, list)
        assert [r["id"] for r in rows] == ["rtx-4090"]
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=15)
    assert f"http://127.0.0.1:{port}/" in output.decode()
