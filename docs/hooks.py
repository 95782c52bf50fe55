"""MkDocs hook: render the protocol coverage table from janus_client.coverage."""

from __future__ import annotations

from typing import Any

PLACEHOLDER = "<!-- coverage-table -->"


def _table() -> str:
    from janus_client.coverage import coverage_table

    lines: list[str] = []
    current = None
    for row in coverage_table():
        if row.api != current:
            current = row.api
            title = {"core": "Core Janus API", "admin": "Admin/Monitor API"}.get(row.api, row.api)
            lines += ["", f"## {title}", "", "| Janus request | sent by |", "| --- | --- |"]
        sender = f"`{row.client}.{row.method}()`" if row.method else "**not covered**"
        lines.append(f"| `{row.request}` | {sender} |")
    return "\n".join(lines) + "\n"


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace the placeholder on the coverage page with the generated table."""
    if PLACEHOLDER in markdown:
        return markdown.replace(PLACEHOLDER, _table())
    return markdown
