"""Edge connections to the real world (they may use the network, the clock, the user directory).

- :mod:`.live` / :mod:`.gpuhunt_fetch` / :mod:`.gpuhunt_convert` / :mod:`.snapshot`: live cloud
  prices (``spice offers refresh``) kept as snapshots in the user directory;
  :mod:`.gpuhunt_api` is the one module that touches gpuhunt's API.
- :mod:`.prices`: ``current_offers(home, catalog) -> (Catalog, PricesInfo)``, the prices a plan
  uses (gathered with the rest by :class:`spicetrader.Context`).
- :mod:`.quotes`: the user's own offers and systems (``<home>/offers.toml``, ``spice offers add``).
- :mod:`.probe` / :mod:`.probe_detect` / :mod:`.bench`: this machine (``spice probe [--bench]``),
  ``local_option(home, catalog)`` for the planner.
- :mod:`.hub`: ``fetch_hf_config(repo_id)``, the Hugging Face hook of ``resolve_model``.
- :mod:`.launch`: ``render_launch(option, workload, target)`` (SkyPilot, dstack, Colab).

Nothing is imported here: each module is loaded when used (``spice --help`` stays fast).
See ``docs/sources.md``.
"""
