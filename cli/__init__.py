"""The `netgoals` command line (Typer + Rich), one module per subject. Speaks to `service` only."""

__version__ = "0.1.0"  # the package's version: pyproject.toml reads it from here
