#!/usr/bin/env python3
"""Draw the Performance page's PNG charts from the benchmarks' JSON results.

Reads ``docs/performance/paths.json`` (``bench_paths.py --out``) and
``docs/performance/import.json`` (``bench_import.py --out``) and writes
``docs/img/perf-paths.png`` and ``docs/img/perf-import.png``. Other JSON files
in ``docs/performance/`` that this script does not know are left alone.

Needs matplotlib (in the ``dev`` extra). Without it the script prints which
charts it skipped and why, and exits 0: the JSON results and the page's tables
stay valid, only the pictures are not redrawn.

Usage::

    python experiments/bench_paths.py --out docs/performance/paths.json
    python experiments/bench_import.py --out docs/performance/import.json
    python experiments/perf_charts.py
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "docs" / "performance"
IMG = ROOT / "docs" / "img"
PATH_ORDER = ("plugin", "core", "raw-inline", "raw-reader")
COLOURS = {
    "plugin": "#3f51b5",
    "core": "#7986cb",
    "raw-inline": "#9e9e9e",
    "raw-reader": "#cfcfcf",
}


def _subtitle(meta: dict[str, Any]) -> str:
    return f"janus_client {meta.get('revision', '?')}, {meta.get('machine', '?')}, {meta['date']}"


def paths_chart(result: dict[str, Any], out: Path, plt: Any) -> None:
    """Grouped bars: cycles/s of each path, per transport and mode."""
    rows = result["rows"]
    fig, axes = plt.subplots(1, len(rows), figsize=(3.2 * len(rows), 3.8), squeeze=False)
    for ax, row in zip(axes[0], rows, strict=True):
        rates = [row["rates"][p] for p in PATH_ORDER]
        bars = ax.bar(
            range(len(PATH_ORDER)), rates, color=[COLOURS[p] for p in PATH_ORDER]
        )
        ax.set_xticks(range(len(PATH_ORDER)), PATH_ORDER, rotation=30, ha="right", fontsize=8)
        ax.set_title(f"{row['transport']}, {row['mode']}", fontsize=9)
        ax.tick_params(axis="y", labelsize=8)
        ax.bar_label(bars, fmt="%.0f", fontsize=7)
        ax.text(
            0.5,
            0.97,
            f"plugin/inline {row['plugin_vs_inline']:.2f}\ncore/reader {row['core_vs_reader']:.2f}",
            transform=ax.transAxes,
            ha="center",
            va="top",
            fontsize=7,
        )
        ax.set_ylim(0, max(rates) * 1.35)
    axes[0][0].set_ylabel("cycles / s (higher is better)", fontsize=8)
    fig.suptitle(
        "create -> attach -> detach -> destroy\n" + _subtitle(result["meta"]), fontsize=9
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def import_chart(result: dict[str, Any], out: Path, plt: Any) -> None:
    """Two bar charts: import time and RSS per import kind."""
    rows = result["rows"]
    names = [row["kind"] for row in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.4))
    colours = ["#3f51b5" if n == "janus_client" else "#9e9e9e" for n in names]
    if all("cpu_ms" in row for row in rows):  # wall clock and CPU time side by side
        xs = range(len(names))
        wall = left.bar([x - 0.2 for x in xs], [r["ms"] for r in rows], 0.4, color=colours)
        cpu = left.bar(
            [x + 0.2 for x in xs], [r["cpu_ms"] for r in rows], 0.4, color=colours, alpha=0.45
        )
        left.bar_label(wall, fmt="%.0f", fontsize=6)
        left.bar_label(cpu, fmt="%.0f", fontsize=6)
        left.legend([wall[0], cpu[0]], ["wall clock", "CPU"], fontsize=7, loc="upper left")
    panels = [(right, "rss_mb", "RSS after import, MB", result["janus_client"]["target_rss_mb"])]
    time_panel = (left, "ms", "import time, ms", result["janus_client"]["target_ms"])
    if not all("cpu_ms" in row for row in rows):
        panels.insert(0, time_panel)
    else:
        ax, _, label, target = time_panel
        ax.axhline(target, color="#c62828", linestyle="--", linewidth=1)
        ax.text(len(names) - 0.5, target, f"target {target:g}", color="#c62828",
                fontsize=7, ha="right", va="bottom")
        ax.set_xticks(range(len(names)), names, rotation=20, ha="right", fontsize=8)
        ax.set_title(label, fontsize=9)
        ax.tick_params(axis="y", labelsize=8)
    for ax, key, label, target in panels:
        values = [row[key] for row in rows]
        bars = ax.bar(range(len(names)), values, color=colours)
        ax.axhline(target, color="#c62828", linestyle="--", linewidth=1)
        ax.text(len(names) - 0.5, target, f"target {target:g}", color="#c62828",
                fontsize=7, ha="right", va="bottom")
        ax.set_xticks(range(len(names)), names, rotation=20, ha="right", fontsize=8)
        ax.set_title(label, fontsize=9)
        ax.tick_params(axis="y", labelsize=8)
        ax.bar_label(bars, fmt="%.1f", fontsize=7)
    fig.suptitle("import cost, fresh interpreters\n" + _subtitle(result["meta"]), fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def markdown(paths: dict[str, Any] | None, imports: dict[str, Any] | None) -> str:
    """The Performance page's result tables, as Markdown."""
    out: list[str] = []
    if paths is not None:
        meta = paths["meta"]
        out += [
            f"Commit `{meta['revision']}`, {meta['machine']}, Python {meta['python']}, "
            f"Janus {meta['janus_version']}, {meta['date']}, {meta['rounds']} rounds; "
            "load average at the end " + "/".join(f"{x:.1f}" for x in meta["load_average"]),
            "",
            "| transport | mode | plugin | core | raw inline | raw reader "
            "| plugin / inline | core / reader | core / inline |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in paths["rows"]:
            rates = " | ".join(f"{row['rates'][p]:.0f}/s" for p in PATH_ORDER)
            out.append(
                f"| {row['transport']} | {row['mode']} | {rates} | "
                f"{row['plugin_vs_inline']:.2f} | {row['core_vs_reader']:.2f} | "
                f"{row['core_vs_inline']:.2f} |"
            )
        out += [
            "",
            "Client CPU per cycle (µs, median):",
            "",
            "| transport | mode | plugin | core | raw inline | raw reader |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for row in paths["rows"]:
            cpu = " | ".join(f"{row['cpu_us_per_cycle'][p]:.0f}" for p in PATH_ORDER)
            out.append(f"| {row['transport']} | {row['mode']} | {cpu} |")
        out.append("")
    if imports is not None:
        meta = imports["meta"]
        out += [
            f"Commit `{meta['revision']}`, {meta['machine']}, Python {meta['python']}, "
            f"{meta['date']}, median of {meta['repeat']} fresh interpreters"
            + (
                "; load average at the end "
                + "/".join(f"{x:.1f}" for x in meta["load_average"])
                if "load_average" in meta
                else ""
            ),
            "",
            "| import | time | CPU | RSS | modules | heavy packages loaded |",
            "| --- | ---: | ---: | ---: | ---: | --- |",
        ]
        for row in imports["rows"]:
            loaded = ", ".join(row["loaded"]) or "-"
            cpu = f"{row['cpu_ms']:.1f} ms" if "cpu_ms" in row else "-"
            out.append(
                f"| `{row['statement']}` | {row['ms']:.1f} ms | {cpu} | {row['rss_mb']:.1f} MB | "
                f"{row['modules']} | {loaded} |"
            )
        out.append("")
    return "\n".join(out)


CHARTS = {
    "paths.json": ("perf-paths.png", paths_chart),
    "import.json": ("perf-import.png", import_chart),
}


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DATA), help="folder of the JSON results")
    parser.add_argument("--img", default=str(IMG), help="folder for the PNG charts")
    parser.add_argument(
        "--markdown", action="store_true", help="print the result tables as Markdown instead"
    )
    args = parser.parse_args()
    data, img = Path(args.data), Path(args.img)
    if args.markdown:
        loaded = {
            name: json.loads((data / name).read_text()) if (data / name).exists() else None
            for name in CHARTS
        }
        print(markdown(loaded["paths.json"], loaded["import.json"]))
        return 0
    present = [name for name in CHARTS if (data / name).exists()]
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(
            "perf_charts: matplotlib is not installed (pip install 'janus-client[dev]'): "
            f"skipped {', '.join(CHARTS[n][0] for n in present) or 'nothing'}; "
            "the JSON results are unchanged",
            file=sys.stderr,
        )
        return 0
    img.mkdir(parents=True, exist_ok=True)
    for name in present:
        png, draw = CHARTS[name]
        draw(json.loads((data / name).read_text()), img / png, plt)
        print(f"wrote {img / png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
