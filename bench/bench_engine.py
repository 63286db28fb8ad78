"""Time one training step (forward + backward + update, float64) side by side.

For each network, interleaved round by round so that load on this shared
machine hits them alike (the table reports medians and ratios of medians):

- engine: the public step with its input checks, ``net.forward(X)`` →
  ``net.backward(trace, Y)`` → ``net.apply(grads, lr)``, every record kept
  (σ'_ℓ and ∂c/∂a_ℓ are formed when first asked for, see ``Grads``).
  X and Y are read-only arrays, so the NaN scan runs once, on the first call;
- eng all: the same step, then σ'_ℓ and ∂c/∂a_ℓ asked for (every record formed);
- trainer: one ``Trainer.run`` iteration on the same full batch (no shuffle);
- plain numpy: the tightest loop we could write that keeps nothing (see
  ``Plain``): the same BLAS calls, buffers made once, activations and σ'
  computed in place, −α/B folded into δ_L, one in-place update of a flat θ;
- textbook: the plain loop as it stood before (fresh arrays for the products,
  1/B and α applied per layer, the update per layer);
- torch: PyTorch's fastest CPU loop (see ``torch_step``), float64, as many
  threads as numpy's BLAS;
- stepper: the same iteration walked as 4L + 2 recorded steps.

It also measures this machine's float64 GEMM peak (a 2048² matmul) in the same
run and reports the share of it the largest network's step reaches.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_engine.py [--rounds N]``);
``--baseline-engine DIR`` adds a column timing the ``engine`` package found in
DIR (e.g. an older checkout) on the same step.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import Network, Trainer  # noqa: E402
from engine.stepper import Stepper  # noqa: E402

NETWORKS = [((2, 8, 8, 1), 200), ((2, 16, 16, 16, 1), 1000), ((784, 128, 64, 10), 64),
            ((784, 512, 512, 10), 256)]
TARGETS = [3.0, 1.5, 1.1, 1.0]  # engine / torch, per network
LR = 0.01


def blas_threads() -> int:
    """Threads of numpy's BLAS (threadpoolctl; 1 if it cannot tell)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return 1
    n = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
    return max(n) if n else 1


def make(sizes: tuple[int, ...], B: int, net_cls=Network) -> tuple:
    layers = [{"units": n, "activation": "tanh"} for n in sizes[1:-1]]
    layers.append({"units": sizes[-1], "activation": "sigmoid"})
    net = net_cls.from_spec({"input_size": sizes[0], "seed": 0, "layers": layers})
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(sizes[0], B)), rng.uniform(size=(sizes[-1], B))
    X.flags.writeable = False  # data as a data set holds it: checked once, then O(1)
    Y.flags.writeable = False
    return net, X, Y


def engine_step(net, X: np.ndarray, Y: np.ndarray) -> float:
    """The public step, checks on."""
    grads = net.backward(net.forward(X), Y)
    net.apply(grads, LR)
    return grads.loss


def engine_all_step(net, X: np.ndarray, Y: np.ndarray) -> float:
    """The public step, and the two factors of every δ_ℓ asked for, as a view would."""
    grads = net.backward(net.forward(X), Y)
    net.apply(grads, LR)
    assert grads.sigma_prime[1] is not None and grads.dc_da[1] is not None
    return grads.loss


class Plain:
    """The tightest loop we could write that keeps nothing.

    Every buffer is made once (z_ℓ, overwritten by a_ℓ and then by σ'_ℓ; one for
    δ_ℓ per layer); the weights are views of one flat θ and the gradients of one
    flat g, so the update is one ``θ += g``; the factor −α·2/B of the whole update
    goes on δ_L once (everything below it is linear in δ_L), so dW_ℓ, db_ℓ come
    out of the matmul and the sum already scaled. The same BLAS calls as the
    engine; the loss is computed too.
    """

    def __init__(self, net: Network, B: int) -> None:
        n = net.n_params()
        self.theta, self.g = np.empty(n), np.empty(n)
        self.Ws, self.bs, self.gW, self.gb = [], [], [], []
        o = 0
        for W, b in net.params():
            for p, views, grads in ((W, self.Ws, self.gW), (b, self.bs, self.gb)):
                e = o + p.size
                views.append(self.theta[o:e].reshape(p.shape))
                views[-1][...] = p
                grads.append(self.g[o:e].reshape(p.shape))
                o = e
        self.zs = [np.empty((W.shape[0], B)) for W in self.Ws]
        self.ds = [np.empty((W.shape[0], B)) for W in self.Ws]

    def step(self, X: np.ndarray, Y: np.ndarray) -> float:
        Ws, bs, zs, ds = self.Ws, self.bs, self.zs, self.ds
        n, B = len(Ws), X.shape[1]
        acts = [X]
        a = X
        for i in range(n):
            z = np.matmul(Ws[i], a, out=zs[i])
            z += bs[i]
            if i < n - 1:
                np.tanh(z, out=z)
            else:  # sigmoid as ½ tanh(z/2) + ½, like the engine (never overflows)
                z *= 0.5
                np.tanh(z, out=z)
                z *= 0.5
                z += 0.5
            a = z
            acts.append(a)
        d = np.subtract(a, Y, out=ds[-1])
        loss = float(np.vdot(d, d)) / B
        d *= a                      # δ_L = 2(a - y) a(1 - a), times −α/B for the update
        np.subtract(1.0, a, out=a)  # (a_L is no longer needed)
        d *= a
        d *= -2.0 * LR / B
        gW, gb = self.gW, self.gb
        for i in range(n - 1, -1, -1):
            np.matmul(d, acts[i].T, out=gW[i])
            _add_reduce(d, 1, None, gb[i], True)
            if i > 0:
                d_prev = np.matmul(Ws[i].T, d, out=ds[i - 1])
                ap = acts[i]  # a_i is no longer needed: σ' = 1 - a² in its place
                np.multiply(ap, ap, out=ap)
                np.subtract(1.0, ap, out=ap)
                d_prev *= ap
                d = d_prev
        self.theta += self.g  # every W_ℓ, b_ℓ in one call
        return loss


_add_reduce = np.add.reduce


def textbook_step(Ws: list, bs: list, X: np.ndarray, Y: np.ndarray) -> float:
    """The textbook loop keeping nothing (the baseline until this session): in place
    wherever the maths allows, fresh arrays for the products, the update per layer."""
    n, B = len(Ws), X.shape[1]
    acts = [X]
    a = X
    for i in range(n):
        z = Ws[i] @ a
        z += bs[i]
        if i < n - 1:
            np.tanh(z, out=z)
        else:  # sigmoid as ½ tanh(z/2) + ½, like the engine (never overflows)
            z *= 0.5
            np.tanh(z, out=z)
            z *= 0.5
            z += 0.5
        a = z
        acts.append(a)
    diff = a - Y
    loss = float(np.vdot(diff, diff)) / B
    d = 1.0 - a           # δ_L = 2(a - y) a(1 - a)
    d *= a
    d *= diff
    d *= 2.0
    s = LR / B
    for i in range(n - 1, -1, -1):
        dW = d @ acts[i].T
        dW *= s
        db = d.sum(axis=1, keepdims=True)
        db *= s
        if i > 0:
            d_prev = Ws[i].T @ d
            ap = acts[i]      # a_{i} is no longer needed: σ' = 1 - a² in its place
            np.multiply(ap, ap, out=ap)
            np.subtract(1.0, ap, out=ap)
            d_prev *= ap
            d = d_prev
        Ws[i] -= dW
        bs[i] -= db
    return loss


def stepper_pass(st: Stepper) -> None:
    for _ in range(st.K):
        st.next()


def torch_setup(net: Network, X: np.ndarray, Y: np.ndarray, threads: int):  # pragma: no cover
    import torch

    torch.set_num_threads(threads)
    params = []
    for W, b in net.params():  # nn.Linear's layout: W (out, in), b (out,)
        params += [torch.tensor(W, requires_grad=True),
                   torch.tensor(b[:, 0].copy(), requires_grad=True)]
    # Row-major: samples as rows, as PyTorch is built for.
    return torch, params, torch.tensor(X.T.copy()), torch.tensor(Y.T.copy())


def torch_step(torch, params, X, Y) -> None:  # pragma: no cover - optional
    """PyTorch's fastest plain loop: addmm, grads set to None, in-place update."""
    a = X
    n = len(params) // 2
    for i in range(n):
        z = torch.addmm(params[2 * i + 1], a, params[2 * i].t())   # b + a Wᵀ in one call
        a = torch.tanh(z) if i < n - 1 else torch.sigmoid(z)
    loss = (a - Y).pow(2).sum() / X.shape[0]
    for p in params:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in params:
            p.add_(p.grad, alpha=-LR)


def load_engine(root: str) -> ModuleType:
    """Import the ``engine`` package under ``root`` as a separate module (``engine_base``)."""
    init = Path(root) / "engine" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        "engine_base", init, submodule_search_locations=[str(init.parent)])
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["engine_base"] = mod
    spec.loader.exec_module(mod)
    return mod


CLOCK = time.perf_counter  # --cpu-time: time.thread_time (this thread's CPU seconds)


def timeit(fn, reps: int) -> float:
    t = CLOCK()
    for _ in range(reps):
        fn()
    return (CLOCK() - t) / reps


def gemm_peak(rounds: int) -> float:
    """Float64 GF/s of a 2048² × 2048² matmul into a preallocated result (median)."""
    # (With --cpu-time and one thread, thread_time covers the BLAS call: same thread.)
    rng = np.random.default_rng(1)
    A, B = rng.random((2048, 2048)), rng.random((2048, 2048))
    C = np.empty_like(A)
    np.matmul(A, B, out=C)
    ts = [timeit(lambda: np.matmul(A, B, out=C), 1) for _ in range(rounds)]
    return 2 * 2048**3 / statistics.median(ts) / 1e9


def step_flops(sizes: tuple[int, ...], B: int) -> float:
    """Matmul flops of one step: forward Wa, backward δaᵀ and Wᵀδ (not for layer 1)."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    fwd = sum(2 * m * n * B for n, m in pairs)
    return 2 * fwd + sum(2 * m * n * B for n, m in pairs[1:])


def check_plain(sizes: tuple[int, ...], B: int) -> None:
    """The plain loops must update as the engine does (else their times mean nothing)."""
    net, X, Y = make(sizes, B)
    plain, Ws = Plain(net, B), [W.copy() for W, _ in net.params()]
    bs = [b.copy() for _, b in net.params()]
    losses = {engine_step(net, X, Y), plain.step(X, Y), textbook_step(Ws, bs, X, Y)}
    for W, b, pW, pb, tW, tb in zip(*zip(*net.params()), plain.Ws, plain.bs, Ws, bs):
        for p, q in ((W, pW), (b, pb), (W, tW), (b, tb)):
            np.testing.assert_allclose(q, p, rtol=1e-9, atol=1e-15)
    assert max(losses) - min(losses) <= 1e-12 * max(losses), losses


def bench_net(sizes, B, args, threads, base) -> dict[str, float]:
    check_plain(sizes, B)
    net, X, Y = make(sizes, B)
    plain = Plain(net, B)
    Ws = [W.copy() for W, _ in net.params()]
    bs = [b.copy() for _, b in net.params()]
    st = Stepper(net.copy(), X, Y, lr=LR)
    it = Trainer(net.copy(), X, Y, batch_size=B, shuffle=False, lr=LR).run(None)
    # Default arguments bind this network's objects into each closure.
    anet = make(sizes, B)[0]
    variants = {"engine": lambda net=net, X=X, Y=Y: engine_step(net, X, Y),
                "all": lambda net=anet, X=X, Y=Y: engine_all_step(net, X, Y),
                "trainer": lambda it=it: next(it),
                "plain": lambda p=plain, X=X, Y=Y: p.step(X, Y),
                "textbook": lambda Ws=Ws, bs=bs, X=X, Y=Y: textbook_step(Ws, bs, X, Y),
                "stepper": lambda st=st: stepper_pass(st)}
    if base is not None:
        bnet, bX, bY = make(sizes, B, base.Network)
        variants["base"] = lambda n=bnet, X=bX, Y=bY: engine_step(n, X, Y)
    if args.torch:
        tt = torch_setup(net, X, Y, threads)
        variants["torch"] = lambda tt=tt: torch_step(*tt)
    reps = {}
    for name, fn in variants.items():  # calibrate: about `budget` seconds per sample
        fn()
        one = timeit(fn, 3)
        reps[name] = max(1, int(args.budget / max(one, 1e-7)))
    times: dict[str, list[float]] = {k: [] for k in variants}
    order = list(variants)
    rng = random.Random(0)
    for _ in range(args.rounds):
        # A fresh order each round, and a pause before each sample: the thread pools of
        # BLAS and of PyTorch's OpenMP keep spinning a while after their last call, which
        # would otherwise always slow whichever variant runs next.
        rng.shuffle(order)
        for name in order:
            time.sleep(0.005)
            times[name].append(timeit(variants[name], reps[name]))
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--budget", type=float, default=0.05, help="seconds per sample")
    ap.add_argument("--baseline-engine", metavar="DIR",
                    help="also time the engine package in DIR (e.g. an older checkout)")
    ap.add_argument("--threads", type=int, default=0,
                    help="limit numpy's BLAS (and so torch) to this many threads; default: as is")
    ap.add_argument("--cpu-time", action="store_true",
                    help="time this thread's CPU seconds instead of wall time (with --threads 1:"
                    " not inflated by other processes' load)")
    args = ap.parse_args()
    if args.cpu_time:
        if args.threads != 1:
            ap.error("--cpu-time needs --threads 1 (other threads' work would not be counted)")
        global CLOCK
        CLOCK = time.thread_time
    if args.threads:
        from threadpoolctl import threadpool_limits

        _limit = threadpool_limits(limits=args.threads, user_api="blas")  # noqa: F841 - kept
    try:
        import torch

        args.torch = True
        tver = torch.__version__
    except ImportError:
        args.torch = False
        tver = "not installed (its column is skipped)"
    base = load_engine(args.baseline_engine) if args.baseline_engine else None
    threads = blas_threads()
    try:  # which BLAS numpy was built with (the matmuls of the big networks run there)
        b = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{b.get('name')} {b.get('version')}"
    except (TypeError, KeyError):
        blas = "unknown"
    print(f"numpy {np.__version__}, BLAS {blas} with {threads} threads "
          f"(OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}); "
          f"torch {tver}, torch threads = {threads}; {os.cpu_count()} CPUs, load average"
          f" {os.getloadavg()[0]:.1f} at the start"
          + ("; CPU time of this thread" if args.cpu_time else "; wall time"))
    peak = gemm_peak(args.rounds)
    print(f"float64 GEMM peak (2048² matmul, median of {args.rounds}): {peak:.1f} GF/s\n")
    cols = (["engine", "all", "trainer", "plain", "textbook"] + (["base"] if base else [])
            + ["torch", "stepper"])
    head = {"engine": "engine", "all": "eng all", "trainer": "trainer", "plain": "plain np",
            "textbook": "textbook", "base": "old eng", "torch": "torch", "stepper": "stepper"}
    print(f"{'network':<18}{'B':>5}" + "".join(f"{head[c]:>10}" for c in cols)
          + f"{'plain/eng':>10}{'plain/all':>10}{'plain/trn':>10}{'text/eng':>9}"
          + (f"{'old/eng':>9}{'plain/old':>10}" if base else "")
          + f"{'torch/eng':>10}{'target':>7}{'':>7}")
    results = []
    for (sizes, B), target in zip(NETWORKS, TARGETS):
        med = bench_net(sizes, B, args, threads, base)
        results.append(med)
        e = med["engine"]
        cells = "".join(f"{med[c] * 1e3:8.3f}ms" if c in med else f"{'—':>10}" for c in cols)
        ratio = med["torch"] / e if "torch" in med else float("nan")
        verdict = "" if "torch" not in med else ("met" if ratio >= target else "MISSED")
        print(f"{'-'.join(map(str, sizes)):<18}{B:>5}{cells}{med['plain'] / e:9.2f}×"
              f"{med['plain'] / med['all']:9.2f}×{med['plain'] / med['trainer']:9.2f}×"
              f"{med['textbook'] / e:8.2f}×"
              + (f"{med['base'] / e:8.2f}×{med['plain'] / med['base']:9.2f}×" if base else "")
              + f"{ratio:9.2f}×{'≥' + format(target, '.1f'):>7} {verdict}")
    free = [f"{'-'.join(map(str, n))} {'met' if m['plain'] >= m['engine'] else 'missed by'}"
            + ("" if m["plain"] >= m["engine"] else f" {m['engine'] / m['plain'] - 1:.1%}")
            for (n, _), m in zip(NETWORKS, results)]
    print("\nrecords at no cost (engine at least as fast as the plain loop): " + ", ".join(free))
    sizes, B = NETWORKS[-1]
    flops = step_flops(sizes, B)
    gf = flops / results[-1]["engine"] / 1e9
    print(f"{'-'.join(map(str, sizes))} B{B}: the engine's step does {flops / 1e6:.0f}"
          f" Mflop of matmul in {results[-1]['engine'] * 1e3:.2f} ms = {gf:.1f} GF/s,"
          f" {gf / peak:.0%} of the GEMM peak")
    print("ratios are of medians; x/eng > 1 means the engine is faster than x; 'stepper' walks"
          f" the pass as 4L+2 recorded steps; load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
