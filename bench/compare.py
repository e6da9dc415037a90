"""Compare two recorded benchmark runs: `python -m bench.compare BEFORE AFTER`.

BEFORE and AFTER are files written by `python -m bench --record NAME` (bench/results/NAME.txt),
or just their names. Prints every figure found in both, its change, and whether it is worse
by more than the tolerance (10% unless `--tolerance 0.15`). The workload must be the same:
counts (providers re-scored, answers, rows) that differ are reported first, since figures
measured on different workloads cannot be compared. Exits 1 when the workloads differ or a
figure is worse beyond the tolerance.
"""

from __future__ import annotations

import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

# Figures where more is better; every other timed figure is better when smaller.
HIGHER_IS_BETTER = ("speedup_vs_naive",)
# Suffixes of timed figures (and ratios of them) compared against the tolerance.
TIMED = ("_s", "_ms", "_mb", "_ratio", "ratio_vs_floor", "api_vs_floor", "speedup_vs_naive")
# Counts describing the workload, which must not change between the two runs.
WORKLOAD = (
    "_providers",
    "scoring_answers",
    "scoring_declarations",
    "scoring_schools",
    "floor_counts_compared",
    "gias_file_rows",
    "dashboards_provider_rows",
    "api_declaration_answers",
)
# Informational lines: neither workload nor a figure to hold to the tolerance.
IGNORED = (
    "_settle_s",
    "bench_duration_s",
    "_build_s",
    "dataset_vacuum_s",
    "_statement_",
    "_repeats_s",  # a list; its fastest is `…_min_s`
    "_roundtrip_",  # the machine's state, printed for reading the others
    "_max_ms",
)


def read(path_or_name: str) -> dict[str, str]:
    path = Path(path_or_name)
    if not path.exists():
        path = RESULTS / f"{path_or_name}.txt"
    figures: dict[str, str] = {}
    prefix = ""  # the figures of a growth point of the scoring benchmark: scoring_25000_…
    for line in path.read_text().splitlines():
        if line.startswith("# "):
            prefix = ""
            continue
        if line.startswith("#"):
            continue
        key, sep, value = line.partition(": ")
        if key == "scoring_scale" and "growth point" in value:
            prefix = f"scoring_{value.split()[0]}_"
        if sep and key and " " not in key:
            figures.setdefault(prefix + key, value.strip())
    return figures


def number(text: str) -> float | None:
    try:
        return float(text.split()[0].rstrip(","))
    except (ValueError, IndexError):
        return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    tolerance = 0.10
    if "--tolerance" in argv:
        at = argv.index("--tolerance")
        tolerance = float(argv[at + 1])
        del argv[at : at + 2]
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    before, after = read(argv[0]), read(argv[1])
    for key in ("date", "commit", "load_at_start", "load_at_end", "bench_duration_s"):
        print(f"{key}: {before.get(key, '?')}  →  {after.get(key, '?')}")
    different = [
        key
        for key in before
        if key in after
        and any(key.endswith(w) or key == w for w in WORKLOAD)
        and "_per_" not in key
        and number(before[key]) != number(after[key])
    ]
    for key in different:
        print(f"WORKLOAD DIFFERS {key}: {before[key]}  →  {after[key]}")
    worse = []
    print(f"\n{'figure':<48} {'before':>10} {'after':>10} {'after÷before':>13}")
    for key, text in before.items():
        if key not in after or any(part in key for part in IGNORED):
            continue
        if not any(key.endswith(suffix) or key == suffix for suffix in TIMED):
            continue
        a, b = number(text), number(after[key])
        if a is None or b is None or a == 0:
            continue
        change = b / a
        bad = change < 1 - tolerance if key in HIGHER_IS_BETTER else change > 1 + tolerance
        mark = "  worse" if bad else ""
        print(f"{key:<48} {a:>10.4g} {b:>10.4g} {change:>13.2f}{mark}")
        if bad:
            worse.append(key)
    print(
        f"\n{len(worse)} figure(s) worse by more than {tolerance:.0%}"
        + (f": {', '.join(worse)}" if worse else "")
    )
    return 1 if worse or different else 0


if __name__ == "__main__":
    raise SystemExit(main())
