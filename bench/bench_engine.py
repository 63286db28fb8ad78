"""Time one training step (forward + backward + update, float64) side by side.

For each network: the engine's step with its records kept (``Network.forward``
→ ``backward`` → ``apply``), a plain numpy loop that keeps nothing, PyTorch CPU
autograd (when torch is installed; it is never a dependency of the app), and
the stepper walking the same iteration as 4L + 2 reversible steps.  Variants
are interleaved round by round so that load on this shared machine hits them
alike; the table reports medians and the ratios of medians.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_engine.py [--rounds N]``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import Network  # noqa: E402
from engine.stepper import Stepper  # noqa: E402

NETWORKS = [((2, 8, 8, 1), 200), ((2, 16, 16, 16, 1), 1000), ((784, 128, 64, 10), 64),
            ((784, 512, 512, 10), 256)]
LR = 0.01


def make(sizes: tuple[int, ...], B: int) -> tuple[Network, np.ndarray, np.ndarray]:
    layers = [{"units": n, "activation": "tanh"} for n in sizes[1:-1]]
    layers.append({"units": sizes[-1], "activation": "sigmoid"})
    net = Network.from_spec({"input_size": sizes[0], "seed": 0, "layers": layers})
    rng = np.random.default_rng(0)
    return net, rng.normal(size=(sizes[0], B)), rng.uniform(size=(sizes[-1], B))


def engine_step(net: Network, X: np.ndarray, Y: np.ndarray) -> None:
    net.apply(net.backward(net.forward(X, check=False), Y, check=False), LR)


def plain_step(Ws: list, bs: list, X: np.ndarray, Y: np.ndarray) -> None:
    """The textbook loop, keeping nothing it does not need."""
    acts = [X]
    a = X
    for i, (W, b) in enumerate(zip(Ws, bs)):
        z = W @ a + b
        a = np.tanh(z) if i < len(Ws) - 1 else 0.5 * np.tanh(0.5 * z) + 0.5
        acts.append(a)
    B = X.shape[1]
    d = 2.0 * (a - Y) * a * (1.0 - a)
    for i in range(len(Ws) - 1, -1, -1):
        dW = d @ acts[i].T / B
        db = d.sum(axis=1, keepdims=True) / B
        if i > 0:
            d = (Ws[i].T @ d) * (1.0 - acts[i] * acts[i])
        Ws[i] -= LR * dW
        bs[i] -= LR * db


def stepper_pass(st: Stepper) -> None:
    for _ in range(st.K):
        st.next()


def torch_setup(net: Network, X: np.ndarray, Y: np.ndarray):  # pragma: no cover - optional
    import torch

    params = []
    for W, b in net.params():
        params += [torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)]
    return torch, params, torch.tensor(X), torch.tensor(Y)


def torch_step(torch, params, X, Y) -> None:  # pragma: no cover - optional
    a = X
    n = len(params) // 2
    for i in range(n):
        z = params[2 * i] @ a + params[2 * i + 1]
        a = torch.tanh(z) if i < n - 1 else torch.sigmoid(z)
    loss = ((a - Y) ** 2).sum() / X.shape[1]
    for p in params:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= LR * p.grad


def timeit(fn, reps: int) -> float:
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t) / reps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--budget", type=float, default=0.05, help="seconds per sample")
    args = ap.parse_args()
    try:
        import torch  # noqa: F401

        have_torch = True
    except ImportError:
        have_torch = False
        print("torch not installed: the PyTorch column is skipped", file=sys.stderr)
    try:  # which BLAS numpy was built with (the matmuls of the big networks run there)
        b = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{b.get('name')} {b.get('version')}"
    except (TypeError, KeyError):
        blas = "unknown"
    blas += f"; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}"
    print(f"numpy {np.__version__}; BLAS: {blas}")
    print(f"{'network':<22}{'batch':>6}{'engine':>11}{'plain np':>11}{'torch':>11}"
          f"{'stepper':>11}{'torch/eng':>11}{'plain/eng':>11}{'stepper/eng':>13}")
    for sizes, B in NETWORKS:
        net, X, Y = make(sizes, B)
        Ws = [W.copy() for W, _ in net.params()]
        bs = [b.copy() for _, b in net.params()]
        st = Stepper(net.copy(), X, Y, lr=LR)
        # Default arguments bind this round's objects into each closure.
        variants = {"engine": lambda net=net, X=X, Y=Y: engine_step(net, X, Y),
                    "plain": lambda Ws=Ws, bs=bs, X=X, Y=Y: plain_step(Ws, bs, X, Y),
                    "stepper": lambda st=st: stepper_pass(st)}
        if have_torch:
            tt = torch_setup(net, X, Y)
            variants["torch"] = lambda tt=tt: torch_step(*tt)
        reps = {}
        for name, fn in variants.items():  # calibrate: about `budget` seconds per sample
            fn()
            one = timeit(fn, 3)
            reps[name] = max(1, int(args.budget / max(one, 1e-7)))
        times: dict[str, list[float]] = {k: [] for k in variants}
        for _ in range(args.rounds):
            for name, fn in variants.items():
                times[name].append(timeit(fn, reps[name]))
        med = {k: statistics.median(v) for k, v in times.items()}
        tname = "-".join(map(str, sizes))
        torch_ms = f"{med['torch'] * 1e3:9.3f}ms" if "torch" in med else f"{'—':>11}"
        ratio = f"{med['torch'] / med['engine']:10.2f}×" if "torch" in med else f"{'—':>11}"
        print(f"{tname:<22}{B:>6}{med['engine'] * 1e3:9.3f}ms{med['plain'] * 1e3:9.3f}ms"
              f"{torch_ms}{med['stepper'] * 1e3:9.3f}ms{ratio}"
              f"{med['plain'] / med['engine']:10.2f}×{med['stepper'] / med['engine']:12.2f}×")
    print("ratios are of medians; torch/eng > 1 means the engine is faster than PyTorch;"
          " stepper/eng is the cost of walking the pass as 4L+2 recorded steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
