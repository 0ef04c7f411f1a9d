"""Rendering of results for people: views as blocks (rich on a terminal, plain text when piped),
rich tables and PNG charts (the CLI and web call them), and
the short reprs, notebook HTML and flat records that ``Estimate`` and ``Plan`` expose."""
