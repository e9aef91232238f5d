"""The `netgoals` command line (Typer + Rich), one module per subject. Speaks to `service` only."""
