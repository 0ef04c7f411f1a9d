"""Rendering of results for people: rich tables and PNG charts. Only the CLI and web call it."""
