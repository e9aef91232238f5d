"""MkDocs hook: the reference pages are generated from the code at build time, so they cannot
drift — the command line from the Typer app, the REST API from the OpenAPI document, the settings
from the settings class."""

from __future__ import annotations

from typing import Any

from mkdocs.structure.files import File, Files


def on_files(files: Files, config: Any) -> Files:
    for name, render in (("cli", cli_reference), ("rest", rest_reference), ("settings", settings_reference)):
        files.append(File.generated(config, f"reference/{name}.md", content=render()))
    return files


def cli_reference() -> str:
    import typer

    from cli.main import app

    root = typer.main.get_command(app)
    lines = [
        "# Command line",
        "",
        "Generated from the command line's own help (`netgoals COMMAND --help` prints the same).",
        "",
    ]

    # Typer carries its own copy of click (typer._click): duck-typed, not isinstance checks.
    def walk(command: Any, path: list[str]) -> None:
        context = type(root.make_context("netgoals", [], resilient_parsing=True))(
            command, info_name=" ".join(path)
        )
        if path[1:]:
            lines.extend([f"## `{' '.join(path)}`", ""])
            if command.help:
                lines.extend([command.help.strip(), ""])
            params = [p for p in command.get_params(context) if p.name != "help"]
            if params:
                lines.extend(["| | |", "|---|---|"])
                for param in params:
                    record = param.get_help_record(context)
                    if record is not None:
                        words = record[1].replace("|", "\\|").replace("\n", " ")
                        lines.append(f"| `{record[0]}` | {words} |")
                    elif param.param_type_name == "argument":
                        words = (getattr(param, "help", None) or "").replace("|", "\\|")
                        lines.append(f"| `{param.human_readable_name}` | {words or 'argument'} |")
                lines.append("")
        if hasattr(command, "list_commands"):
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                if sub is not None and not sub.hidden:
                    walk(sub, [*path, name])

    walk(root, ["netgoals"])
    return "\n".join(lines) + "\n"


def rest_reference() -> str:
    from api.app import create_app
    from service.settings import Settings

    spec = create_app(Settings()).openapi()
    lines = [
        "# REST API",
        "",
        "Generated from the service's OpenAPI document (a running server serves it at "
        "`/openapi.json` and browsable at `/docs`). Every route under `/api/v1/` takes "
        "`Authorization: Bearer <token>`.",
        "",
    ]
    by_tag: dict[str, list[str]] = {}
    for path, operations in sorted(spec["paths"].items()):
        for method, operation in operations.items():
            tag = (operation.get("tags") or ["other"])[0]
            summary = (operation.get("summary") or "").replace("|", "\\|")
            by_tag.setdefault(tag, []).append(f"| `{method.upper()}` | `{path}` | {summary} |")
    for tag in sorted(by_tag):
        lines.extend([f"## {tag}", "", "| method | path | what it does |", "|---|---|---|", *by_tag[tag], ""])
    return "\n".join(lines) + "\n"


def settings_reference() -> str:
    from service.settings import Settings

    lines = [
        "# Settings",
        "",
        "Generated from the settings class (`service/settings.py`). Each is read from the "
        "environment variable named here.",
        "",
        "| variable | default | what it sets |",
        "|---|---|---|",
    ]
    for spec in Settings._specs().values():
        info = spec.info
        default = info.default if info.default_factory is None else "(computed)"
        shown = "—" if default is None or repr(default).startswith("<") else f"`{default}`"
        words = info.description.replace("|", "\\|")
        lines.append(f"| `{spec.names[0].upper()}` | {shown} | {words} |")
    return "\n".join(lines) + "\n"
