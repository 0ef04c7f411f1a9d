"""The bundled, sourced catalog of accelerators, systems to buy, cloud offers and free tiers.

Import from the submodules (kept import-light for the CLI's start-up time)::

    from spicetrader.catalog.load import load_catalog
    from spicetrader.catalog.catalog import Catalog
    from spicetrader.catalog.schema import Accelerator, System, Offer, FreeTier, Economics
    from spicetrader.catalog.filter import AcceleratorQuery, OfferQuery, matches
"""
