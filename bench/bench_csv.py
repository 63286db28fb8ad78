"""Parse a big CSV: ``engine.csv_data.load_csv`` against ``numpy.loadtxt``, side by side.

Generates the files in a temporary folder: an MNIST-like 60 000 × 785 table
(784 pixels 0..255, 80 % zeros, then a label 0..9; about 110 MB, the size the
issue measured) and a table of decimals (``-12.3456``-style cells).  Every
parse runs in a fresh subprocess that reports its own time and its peak memory
above what it held before parsing (VmHWM, reset just before the parse, minus the
resident size then); the parsers alternate round by
round so load on this shared machine hits them alike.  Reports medians, the
ratio of medians, and the peak against the file size and the float64 result.

Run: ``.venv/bin/python bench/bench_csv.py [--rounds 3] [--rows 60000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def write_pixels(path: Path, rows: int, cols: int = 785) -> None:
    rng = np.random.default_rng(0)
    with open(path, "w") as f:
        for start in range(0, rows, 2000):
            n = min(2000, rows - start)
            px = rng.integers(1, 256, size=(n, cols - 1))
            px[rng.random((n, cols - 1)) < 0.8] = 0
            block = np.hstack([px, rng.integers(0, 10, size=(n, 1))])
            f.write("\n".join(",".join(map(str, r)) for r in block.tolist()) + "\n")


def write_decimals(path: Path, rows: int, cols: int = 101) -> None:
    rng = np.random.default_rng(1)
    with open(path, "w") as f:
        for start in range(0, rows, 2000):
            n = min(2000, rows - start)
            block = np.round(rng.normal(0, 20, size=(n, cols)), 4)
            f.write("\n".join(",".join(map(str, r)) for r in block.tolist()) + "\n")


def _rss_kb() -> int:
    """This process's resident memory now, in kB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _reset_peak() -> None:
    """Forget the peak reached while importing (Linux: VmHWM restarts from now)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _peak_kb() -> int:
    with open("/proc/self/status") as f:
        return next(int(ln.split()[1]) for ln in f if ln.startswith("VmHWM:"))


def child(parser: str, path: str, label: bool) -> None:
    """One parse in this fresh process; prints JSON with seconds and peak MB above start."""
    sys.path.insert(0, str(ROOT))
    from engine.csv_data import load_csv
    _reset_peak()
    before = _rss_kb()
    t0 = time.perf_counter()
    if parser == "load_csv":
        d = load_csv(path, label_column=label, n_outputs=10 if label else 1)
        n = d.X.size + d.Y.size
    else:
        n = np.loadtxt(path, delimiter=",").size
    seconds = time.perf_counter() - t0
    peak = _peak_kb() - before
    print(json.dumps({"s": seconds, "peak_mb": peak * 1024 / 1e6, "values": n}))


def run(parser: str, path: Path, label: bool) -> dict:
    r = subprocess.run([sys.executable, __file__, "--child", parser, str(path)]
                       + (["--label"] if label else []), capture_output=True, text=True,
                       check=True)
    return json.loads(r.stdout)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--rows", type=int, default=60_000)
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    p.add_argument("--label", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        child(a.child[0], a.child[1], a.label)
        return
    with tempfile.TemporaryDirectory() as tmp:
        files = [("pixels", Path(tmp) / "pixels.csv", write_pixels, True),
                 ("decimals", Path(tmp) / "decimals.csv", write_decimals, False)]
        for name, path, write, label in files:
            write(path, a.rows)
            mb = os.path.getsize(path) / 1e6
            res: dict[str, list[dict]] = {"load_csv": [], "numpy.loadtxt": []}
            for _ in range(a.rounds):
                for parser in res:
                    res[parser].append(run(parser, path, label))
            print(f"{name}: {path.stat().st_size / 1e6:.1f} MB, "
                  f"{res['load_csv'][0]['values']:,} values")
            med = {k: statistics.median(r["s"] for r in v) for k, v in res.items()}
            for parser, runs in res.items():
                peak = max(r["peak_mb"] for r in runs)
                times = ", ".join(f"{r['s']:.2f}" for r in runs)
                print(f"  {parser:>14}: median {med[parser]:6.2f} s (runs {times}), "
                      f"peak +{peak:.0f} MB = {peak / mb:.2f}× the file")
            result_mb = res["load_csv"][0]["values"] * 8 / 1e6
            print(f"  load_csv is {med['numpy.loadtxt'] / med['load_csv']:.1f}× faster; "
                  f"the float64 result alone is {result_mb:.0f} MB = {result_mb / mb:.2f}× "
                  f"the file")


if __name__ == "__main__":
    main()
