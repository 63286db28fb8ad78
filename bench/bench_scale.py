"""Training at scale: samples/s and memory held on a 60 000 × 784 data set, headless.

Each configuration runs in a fresh interpreter, so its peak RSS is its own:
the data are made in memory (uniform pixels in [0, 1] and one-hot labels of
10 classes; nothing is downloaded), laid out one sample after another as a
file read one sample per row gives them (X is the transpose of a 60 000 × 784
array), and ``Trainer.run`` goes through shuffled mini-batches for an epoch or
``--seconds``, whichever ends first (after 20 iterations of warm-up).
The table gives the samples/s, and the peak resident memory
against what the run has to hold: the data, plus the records of a step (the
network's and the Trainer's arrays that are written again every step).

Run: ``make bench`` (or ``.venv/bin/python bench/bench_scale.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = [((784, 128, 64, 10), 64), ((784, 512, 512, 10), 64), ((784, 512, 512, 10), 256)]
N = 60_000

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
import numpy as np
from engine import Network, Trainer

def rss_mib():  # current resident set, from /proc (Linux)
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20

sizes, B, N, epochs = {sizes!r}, {B}, {N}, {epochs}
base = rss_mib()
rng = np.random.default_rng(0)
X = rng.random((N, sizes[0])).T            # (784, N), one sample after another in memory
Y = np.zeros((sizes[-1], N))
Y[rng.integers(0, sizes[-1], N), np.arange(N)] = 1.0
data_mib = (X.nbytes + Y.nbytes) / 2**20
layers = [{{"units": n, "activation": "tanh"}} for n in sizes[1:-1]]
layers.append({{"units": sizes[-1], "activation": "sigmoid"}})
net = Network.from_spec({{"input_size": sizes[0], "seed": 0, "layers": layers}})
tr = Trainer(net, X, Y, batch_size=B, lr=0.1, seed=0)
for _ in tr.run(None):   # warm up: the first steps allocate what later ones reuse
    if tr.iteration == 20:
        break
n0, t0 = tr.iteration, time.perf_counter()
for _ in tr.run(epochs):
    if time.perf_counter() - t0 > {seconds}:
        break
samples_s = (tr.iteration - n0) * B / (time.perf_counter() - t0)
records_mib = (net._ws.nbytes() + tr._ws.nbytes()) / 2**20
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"samples_s": samples_s, "iterations": tr.iteration - n0, "base": base,
                  "peak": peak, "data": data_mib, "records": records_mib}}))
"""


def run(sizes: tuple[int, ...], B: int, epochs: int, seconds: float) -> dict:
    code = CHILD.format(root=str(ROOT), sizes=sizes, B=B, N=N, epochs=epochs, seconds=seconds)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=900)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=10.0, help="stop a run after this long")
    args = ap.parse_args()
    print(f"\ntraining at scale: {N} × 784 in memory, Trainer.run for {args.epochs} epoch(s) or"
          f" {args.seconds:g} s, whichever ends first; memory in MiB")
    print(f"{'network':<16}{'B':>5}{'samples/s':>11}{'iters':>7}{'data':>8}{'records':>9}"
          f"{'peak RSS':>10}{'- python':>10}{'(data+rec)×2':>14}")
    t0 = time.perf_counter()
    for sizes, B in CONFIGS:
        r = run(sizes, B, args.epochs, args.seconds)
        held = r["peak"] - r["base"]
        budget = 2 * (r["data"] + r["records"])
        verdict = "met" if held <= budget else "MISSED"
        print(f"{'-'.join(map(str, sizes)):<16}{B:>5}{r['samples_s']:11.0f}{r['iterations']:7d}"
              f"{r['data']:8.0f}"
              f"{r['records']:9.1f}{r['peak']:10.0f}{held:10.0f}{budget:11.0f}  {verdict}")
    print(f"'- python': peak RSS less the interpreter with numpy before the data were made"
          f" ({time.perf_counter() - t0:.0f} s; load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
