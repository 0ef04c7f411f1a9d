"""The local web app behind ``spice serve``: ``spicetrader.web.app.create_app()``.

Kept import-free on purpose: the CLI reads the server's defaults from here and must not pull in
FastAPI (nor asyncio, which ``spicetrader.web.server`` needs) when it starts.
"""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
