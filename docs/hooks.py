"""MkDocs hook: render the coverage table and the 0.9.0 surface table from their data."""

from __future__ import annotations

from typing import Any

PLACEHOLDER = "<!-- coverage-table -->"


def _table() -> str:
    from janus_client.coverage import coverage_table

    lines: list[str] = []
    current = None
    wide = False
    for row in coverage_table():
        if row.api != current:
            current = row.api
            wide = row.api not in ("core", "admin")
            title = {"core": "Core Janus API", "admin": "Admin/Monitor API"}.get(row.api, row.api)
            lines += ["", f"## {title}", ""]
            if wide:
                lines += [
                    "| Janus request | sent by | reply | parameters | returns |",
                    "| --- | --- | --- | --- | --- |",
                ]
            else:
                lines += ["| Janus request | sent by |", "| --- | --- |"]
        sender = f"`{row.client}.{row.method}()`" if row.method else "**not covered**"
        cells = [f"`{row.request}`", sender]
        if wide:
            cells.append({"sync": "in the ack", "async": "plugin event"}.get(row.mode or "", ""))
            cells.append(", ".join(f"`{p}`" for p in row.params))
            cells.append(f"`{row.result}`" if row.result else "")
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


COMPAT_PLACEHOLDER = "<!-- compat-090-surface -->"


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace the placeholders with the generated tables (coverage, 0.9.0 surface)."""
    if PLACEHOLDER in markdown:
        markdown = markdown.replace(PLACEHOLDER, _table())
    if COMPAT_PLACEHOLDER in markdown:
        from janus_client.compat_090 import contract_markdown

        markdown = markdown.replace(COMPAT_PLACEHOLDER, contract_markdown())
    return markdown
