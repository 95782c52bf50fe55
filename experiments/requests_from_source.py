"""Compare `janus_client.coverage.JANUS_REQUESTS` with the request names in Janus' source.

Reads ``src/janus.c`` and ``src/plugins/janus_<plugin>.c`` of a janus-gateway
checkout (a work tree or a bare git directory plus a tag) and prints, per API, the
names the source compares with ``strcasecmp(message_text, "...")`` (core and
admin) or ``strcasecmp(request_text, "...")`` (plugins) that the table lacks, and
the names of the table the source does not have. Exit status 1 on any difference.

    python experiments/requests_from_source.py /path/to/janus-gateway
    python experiments/requests_from_source.py /path/to/janus-gateway.git v1.1.2
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from janus_client.coverage import JANUS_REQUESTS

_CORE = re.compile(r'strcasecmp\(message_text, "([a-z0-9_]+)"\)')
_PLUGIN = re.compile(r'strcasecmp\(request_text, "([a-z0-9_]+)"\)')


def read(repo: Path, tag: str | None, path: str) -> str:
    """Return one file of the checkout (or of ``tag`` in a bare git directory)."""
    if tag is None:
        return (repo / path).read_text(errors="replace")
    return subprocess.run(
        ["git", f"--git-dir={repo}", "show", f"{tag}:{path}"],
        capture_output=True, text=True, check=True, errors="replace",
    ).stdout


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    repo, tag = Path(sys.argv[1]), (sys.argv[2] if len(sys.argv) == 3 else None)
    core_admin = set(_CORE.findall(read(repo, tag, "src/janus.c")))
    table_core_admin = set(JANUS_REQUESTS["core"]) | set(JANUS_REQUESTS["admin"])
    differences = 0
    report = [("core + admin", core_admin, table_core_admin)]
    for api, names in JANUS_REQUESTS.items():
        if not api.startswith("janus.plugin.") or api == "janus.plugin.echotest":
            continue  # EchoTest has no request names
        source = read(repo, tag, f"src/plugins/janus_{api.rsplit('.', 1)[1]}.c")
        report.append((api, set(_PLUGIN.findall(source)), set(names)))
    for api, source_names, table_names in report:
        lacking, extra = sorted(source_names - table_names), sorted(table_names - source_names)
        differences += len(lacking) + len(extra)
        print(f"{api}: source {len(source_names)}, table {len(table_names)}"
              f"{'' if not lacking else f', table lacks {lacking}'}"
              f"{'' if not extra else f', not in source {extra}'}")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
