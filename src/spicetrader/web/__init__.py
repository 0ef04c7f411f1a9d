"""The local web app behind ``spice serve``: ``spicetrader.web.app.create_app()``.

Kept import-free on purpose: the CLI imports ``spicetrader.web.server`` for its defaults and must
not pull in FastAPI when it starts.
"""
