"""MkDocs hooks: the reference pages generated from the code at build time.

- ``<!-- insights:cli -->`` in a page becomes the synopsis and options of every
  ``insights`` command, read from the argparse parser (:func:`insights.cli.build_parser`),
  so the reference cannot drift from ``insights COMMAND --help``.
- ``<!-- insights:openapi -->`` becomes one section per endpoint of the HTTP API, read
  from the app's OpenAPI document (:func:`insights.api.app.create_app`); the document
  itself is added to the built site as ``openapi.json``.
- ``<!-- insights:tables -->`` becomes the warehouse's table catalog, one section per table
  with its columns, key, migrations and writers, read from the specs
  (:mod:`insights.warehouse.tables`).
- ``<!-- insights:openapi-renames -->`` becomes the table of the answers' snake_case field
  names and the camelCase names that replace them (the properties the document marks
  ``deprecated``), so the table cannot drift from the models.

Hooks are MkDocs' documented mechanism for project-local build code
(https://www.mkdocs.org/user-guide/configuration/#hooks). Nothing here reaches the
network: the parser and the app are built in process, without a warehouse.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # build the docs of this checkout, not of an installed copy
    sys.path.insert(0, str(ROOT))

CLI_MARK = "<!-- insights:cli -->"
API_MARK = "<!-- insights:openapi -->"
TABLES_MARK = "<!-- insights:tables -->"
RENAMES_MARK = "<!-- insights:openapi-renames -->"


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _option_row(action: argparse.Action) -> str | None:
    if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
        return None
    if action.option_strings:
        names = ", ".join(f"`{s}`" for s in action.option_strings)
        if action.nargs != 0:
            metavar = action.metavar or action.dest.upper()
            if isinstance(metavar, tuple):
                metavar = " ".join(metavar)
            names += f" `{metavar}`"
    else:
        names = f"`{action.metavar or action.dest}`"
    extra = []
    if action.choices is not None and not isinstance(action, argparse._SubParsersAction):
        extra.append("one of " + ", ".join(f"`{c}`" for c in action.choices))
    if isinstance(action, argparse._AppendAction):
        extra.append("repeatable")
    if action.required:
        extra.append("required")
    help_text = (action.help or "").replace("%(default)s", str(action.default))
    return f"| {names} | {_cell(help_text)} | {_cell('; '.join(extra))} |"


def _usage(p: argparse.ArgumentParser) -> str:
    """The usage lines without ``usage: ``, continuation lines shifted to match."""
    prefix = "usage: "
    lines = p.format_usage().rstrip().splitlines()
    first = lines[0].removeprefix(prefix)
    rest = [
        line[len(prefix) :] if line.startswith(" " * len(prefix)) else line for line in lines[1:]
    ]
    return "\n".join([first, *rest])


def cli_markdown(parser: argparse.ArgumentParser | None = None) -> str:
    """Markdown for every subcommand: its one-line help, its usage line and an option table.

    Usage lines are formatted at 100 columns whatever the terminal (``COLUMNS``), so the
    page is the same on every machine.
    """
    if parser is None:
        from insights.cli import build_parser

        parser = build_parser()
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        helps = {c.dest: c.help for c in sub._choices_actions}
        out = []
        for name, p in sub.choices.items():
            out.append(f"## `insights {name}`\n")
            if helps.get(name):
                out.append(f"{helps[name]}\n")
            out.append("```text\n" + _usage(p) + "\n```\n")
            rows = [r for r in map(_option_row, p._actions) if r]
            if rows:
                out.append("| option | meaning | notes |\n|---|---|---|")
                out.extend(rows)
                out.append("")
        return "\n".join(out)
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def openapi_document() -> dict[str, Any]:
    """The HTTP API's OpenAPI document, from the app itself (no warehouse is opened)."""
    from insights.api.app import create_app

    return create_app(None).openapi()  # type: ignore[arg-type]  # routes never run here


def _schema_text(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " or ".join(_schema_text(s) for s in schema["anyOf"] if s.get("type") != "null")
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "")
    if kind == "array":
        return f"list of {_schema_text(schema.get('items', {}))}"
    if "format" in schema:
        kind += f" ({schema['format']})"
    if "enum" in schema:
        kind += ": " + ", ".join(f"`{v}`" for v in schema["enum"])
    bounds = [
        f"{label} {schema[key]}"
        for key, label in (
            ("minimum", ">="),
            ("exclusiveMinimum", ">"),
            ("maximum", "<="),
            ("exclusiveMaximum", "<"),
            ("maxLength", "length <="),
        )
        if key in schema
    ]
    return kind + (f", {', '.join(bounds)}" if bounds else "")


def openapi_markdown(doc: dict[str, Any] | None = None) -> str:
    """One section per path and method: summary, description, query parameters, responses."""
    doc = doc or openapi_document()
    out = [
        f"Generated from the OpenAPI document of {doc['info']['title']} {doc['info']['version']}"
        " ([`openapi.json`](../openapi.json)).\n"
    ]
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            out.append(f"## `{method.upper()} {path}`\n")
            if op.get("summary"):
                out.append(f"**{op['summary']}**\n")
            if op.get("description"):
                out.append(op["description"].replace("``", "`") + "\n")
            params = op.get("parameters", [])
            if params:
                out.append("| parameter | type | default | meaning |\n|---|---|---|---|")
                for prm in params:
                    schema = prm.get("schema", {})
                    default = schema.get("default", "required" if prm.get("required") else "")
                    out.append(
                        f"| `{prm['name']}` | {_cell(_schema_text(schema))} | "
                        f"{_cell(default)} | {_cell(prm.get('description', ''))} |"
                    )
                out.append("")
            ok = op.get("responses", {}).get("200", {}).get("content", {})
            model = _schema_text(ok.get("application/json", {}).get("schema", {}))
            if model:
                out.append(f"Answer: {model} (its fields: [models](#answer-models)).\n")
            statuses = ", ".join(
                f"`{code}` {_cell(r.get('description', ''))}"
                for code, r in op.get("responses", {}).items()
            )
            out.append(f"Responses: {statuses}.\n")
    out.append("## Answer models\n")
    for name, schema in sorted(doc.get("components", {}).get("schemas", {}).items()):
        props = schema.get("properties", {})
        if not props:
            continue
        out.append(f"### {name}\n")
        if schema.get("description"):
            out.append(schema["description"].replace("``", "`") + "\n")
        out.append("| field | type | meaning |\n|---|---|---|")
        for prop, spec in props.items():
            note = _cell(spec.get("description", ""))
            if spec.get("deprecated"):
                note = (f"deprecated: renamed `{_camel(prop)}`. " + note).strip()
            out.append(f"| `{prop}` | {_cell(_schema_text(spec))} | {note} |")
        out.append("")
    return "\n".join(out)


def tables_markdown() -> str:
    """One section per warehouse table (the marker table last): what a row is, key,
    writers, and its columns with type and the migration that added each."""
    from insights.warehouse.migrations import MIGRATIONS
    from insights.warehouse.tables import MARKER, TABLES

    out = []
    for t in (*TABLES, MARKER):
        out.append(f"### `{t.name}`\n\n{_cell(t.doc)}\n")
        key = ", ".join(f"`{k}`" for k in t.key) or "none (append-only)"
        writers = ", ".join(f"`{w}`" for w in t.writers)
        out.append(f"Key: {key}. Written by: {writers}.\n")
        out.append("| column | type | added by |\n|---|---|---|")
        for c in t.columns:
            added = f"`{c.added}`: {_cell(MIGRATIONS[c.added])}" if c.added else ""
            out.append(f"| `{c.name}` | `{_cell(c.type)}` | {added} |")
        out.append("")
    return "\n".join(out)


def _camel(name: str) -> str:
    from insights.api.casing import camel

    return camel(name)


def renames_markdown(doc: dict[str, Any] | None = None) -> str:
    """A table: answer model, old (deprecated) field name, new name; from the document."""
    doc = doc or openapi_document()
    rows = ["| answer | old name (deprecated) | new name |", "|---|---|---|"]
    for name, schema in sorted(doc.get("components", {}).get("schemas", {}).items()):
        for prop, spec in schema.get("properties", {}).items():
            if spec.get("deprecated"):
                new = _camel(prop)
                assert new in schema["properties"], (name, prop)  # the new one is declared
                rows.append(f"| `{name}` | `{prop}` | `{new}` |")
    return "\n".join(rows) + "\n"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if CLI_MARK in markdown:
        markdown = markdown.replace(CLI_MARK, cli_markdown())
    if API_MARK in markdown:
        markdown = markdown.replace(API_MARK, openapi_markdown())
    if TABLES_MARK in markdown:
        markdown = markdown.replace(TABLES_MARK, tables_markdown())
    if RENAMES_MARK in markdown:
        markdown = markdown.replace(RENAMES_MARK, renames_markdown())
    return markdown


def on_files(files: Any, config: Any) -> Any:
    """Add ``openapi.json`` (the app's document) to the site, so pages can link to it."""
    from mkdocs.structure.files import File

    content = json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"
    files.append(File.generated(config, "openapi.json", content=content))
    return files
