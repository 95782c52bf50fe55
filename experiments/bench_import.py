#!/usr/bin/env python3
"""Import cost: ``import janus_client`` against ``import websockets`` (the floor).

Each measurement runs in a fresh interpreter (a child process of this script):
the child notes its RSS (``VmRSS``) and the clock, imports the module(s), and
reports the wall time of the import statement and its RSS afterwards. Kinds are
interleaved (A, B, C, then C, B, A, ...) over several repetitions and the
median is reported, so that machine noise hits every kind alike. Also printed:
which heavy packages each import loaded (aiohttp, broker clients, aiortc/av).

Targets (issue 21): ``import janus_client`` <= 35 MB RSS and <= 150 ms, measured
in the same run as the floor ``import websockets``.

Usage::

    python experiments/bench_import.py [--repeat 9] [--json] [--out FILE]

The exit code is 0 even when a target is missed (PASS/FAIL is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

TARGET_RSS_MB = 35.0
TARGET_MS = 150.0
CHILD_TIMEOUT = 60.0

#: What each kind imports (a Python statement) in the child.
KINDS: dict[str, str] = {
    "python": "pass",
    "websockets": "import websockets, websockets.asyncio.client",
    "janus_client": "import janus_client",
    "websockets+aiohttp": "import websockets, websockets.asyncio.client, aiohttp",
}
#: Packages whose presence after the import is reported.
WATCHED = ("websockets", "aiohttp", "aiomqtt", "paho", "aio_pika", "aiormq", "aiortc", "av")

_CHILD = r"""
import json, sys, time
def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1
rss0 = rss_kib()
c0 = time.process_time()
t0 = time.perf_counter()
exec(compile(sys.argv[1], "<import>", "exec"))
elapsed = time.perf_counter() - t0
cpu = time.process_time() - c0
print(json.dumps({
    "seconds": elapsed,
    "cpu_seconds": cpu,
    "rss_kib": rss_kib(),
    "rss_before_kib": rss0,
    "loaded": sorted(m for m in sys.argv[2].split(",") if m in sys.modules),
    "modules": len(sys.modules),
}))
"""


def log(msg: str) -> None:
    """Progress on stderr, so that --json output stays clean."""
    print(msg, file=sys.stderr, flush=True)


#: Where the children keep their bytecode (set by `run`): compiled once in the
#: warm-up, read afterwards, as from an installed package (pip compiles .pyc files
#: at install time). Without it, a source tree run with PYTHONDONTWRITEBYTECODE=1
#: would compile janus_client at every import while websockets' .pyc came ready.
PYCACHE: str | None = None


def measure(statement: str) -> dict[str, Any]:
    """Run ``statement`` in a fresh interpreter and return its import cost."""
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    if PYCACHE is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = PYCACHE
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, statement, ",".join(WATCHED)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child for {statement!r} failed:\n{proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _git_revision() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "janus_client"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return rev + ("+local changes in janus_client/" if dirty else "")


def run(repeat: int) -> dict[str, Any]:
    """Measure every kind ``repeat`` times, interleaved; return the results."""
    import janus_client  # only for its version; the children import it afresh

    global PYCACHE
    with tempfile.TemporaryDirectory(prefix="bench-import-pycache-") as pycache:
        PYCACHE = pycache
        try:
            return _run(repeat, janus_client.__version__)
        finally:
            PYCACHE = None


def _run(repeat: int, version: str) -> dict[str, Any]:
    samples: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    names = list(KINDS)
    measure("pass")  # warm the OS file cache before the first timed child
    for kind in names:
        measure(KINDS[kind])  # and compile the bytecode
    started = time.monotonic()
    for rnd in range(repeat):
        order = names if rnd % 2 == 0 else list(reversed(names))
        for kind in order:
            samples[kind].append(measure(KINDS[kind]))
        log(f"round {rnd + 1}/{repeat} done")
    rows = []
    for kind in names:
        got = samples[kind]
        rows.append(
            {
                "kind": kind,
                "statement": KINDS[kind],
                "ms": 1000 * statistics.median(s["seconds"] for s in got),
                "ms_samples": [1000 * s["seconds"] for s in got],
                "cpu_ms": 1000 * statistics.median(s["cpu_seconds"] for s in got),
                "rss_mb": statistics.median(s["rss_kib"] for s in got) / 1024,
                "rss_samples_mb": [s["rss_kib"] / 1024 for s in got],
                "interpreter_rss_mb": statistics.median(s["rss_before_kib"] for s in got) / 1024,
                "loaded": got[-1]["loaded"],
                "modules": got[-1]["modules"],
            }
        )
    by_kind = {row["kind"]: row for row in rows}
    lib = by_kind["janus_client"]
    floor = by_kind["websockets"]
    return {
        "meta": {
            "janus_client": version,
            "revision": _git_revision(),
            "bytecode": "cached (compiled in a warm-up run, as by pip install)",
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load_average": os.getloadavg(),
            "repeat": repeat,
            "elapsed_s": time.monotonic() - started,
        },
        "rows": rows,
        "janus_client": {
            "ms": lib["ms"],
            "rss_mb": lib["rss_mb"],
            "over_floor_ms": lib["ms"] - floor["ms"],
            "cpu_ms": lib["cpu_ms"],
            "over_floor_cpu_ms": lib["cpu_ms"] - floor["cpu_ms"],
            "over_floor_rss_mb": lib["rss_mb"] - floor["rss_mb"],
            "target_ms": TARGET_MS,
            "target_rss_mb": TARGET_RSS_MB,
            "pass": lib["ms"] <= TARGET_MS and lib["rss_mb"] <= TARGET_RSS_MB,
            "loads_aiohttp": "aiohttp" in lib["loaded"],
        },
    }


def print_table(result: dict[str, Any]) -> None:
    """Print the results as a table."""
    meta = result["meta"]
    print(
        f"\nimport cost, janus_client {meta['janus_client']} ({meta['revision']}), Python "
        f"{meta['python']}, {meta['machine']}, {meta['date']}; median of {meta['repeat']} "
        "fresh interpreters each, interleaved"
    )
    print(
        "load average at the end " + "/".join(f"{x:.1f}" for x in meta["load_average"])
        + "; time = wall clock of the import statement, CPU = its process CPU time"
    )
    print(
        f"{'import':<20} {'time':>9} {'CPU':>9} {'RSS':>9}  {'modules':>7}  "
        "heavy packages loaded"
    )
    for row in result["rows"]:
        print(
            f"{row['kind']:<20} {row['ms']:>6.1f} ms {row['cpu_ms']:>6.1f} ms "
            f"{row['rss_mb']:>6.1f} MB  {row['modules']:>7}  {', '.join(row['loaded']) or '-'}"
        )
    lib = result["janus_client"]
    verdict = "PASS" if lib["pass"] else "FAIL"
    print(
        f"janus_client: {lib['ms']:.1f} ms (+{lib['over_floor_ms']:.1f} ms over websockets; "
        f"CPU {lib['cpu_ms']:.1f} ms, +{lib['over_floor_cpu_ms']:.1f} ms), "
        f"{lib['rss_mb']:.1f} MB (+{lib['over_floor_rss_mb']:.1f} MB); target <= "
        f"{TARGET_MS:g} ms and <= {TARGET_RSS_MB:g} MB: {verdict}; aiohttp loaded: "
        f"{'yes' if lib['loads_aiohttp'] else 'no'}"
    )


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="children per kind (default 9)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.add_argument("--out", help="also write the JSON to this file")
    args = parser.parse_args()
    if not 1 <= args.repeat <= 50:
        parser.error("--repeat must be between 1 and 50")
    result = run(args.repeat)
    if args.out:
        with open(args.out, "w") as out:
            json.dump(result, out, indent=2)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
