"""Save and load the largest networks the app allows: a 2-4000-4000-1 spec and session.

Each phase runs in its own subprocess, so its peak memory (ru_maxrss) is its own.

    python bench/bench_big_files.py [--sizes 2,4000,4000,1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _net_session(sizes: list[int]):
    import numpy as np

    from engine import Network
    from engine.datasets import make_dataset
    from engine.optim import make_optimizer
    from engine.session import Session
    from engine.training import Trainer

    spec = {"input_size": sizes[0], "loss": "squared", "seed": 0,
            "layers": [{"units": n, "activation": "tanh"} for n in sizes[1:-1]]
            + [{"units": sizes[-1], "activation": "sigmoid"}]}
    net = Network.from_spec(spec)
    initial = [(W.copy(), b.copy()) for W, b in net.params()]
    ds = make_dataset("moons", n_samples=200, seed=1)
    opt = make_optimizer("adam", 0.001)
    tr = Trainer(net, ds.X, ds.Y, ds.X_val, ds.Y_val, optimizer=opt, batch_size=32, seed=0)
    with np.errstate(all="ignore"):
        for _ in tr.run():   # one iteration: Adam's m and v become full-size arrays
            break
    return net, Session(spec=net.to_spec(), initial_params=initial,
                        optimizer={"name": "adam", "lr": 0.001, "state": opt.state_dict()},
                        dataset={"spec": ds.spec}, trainer=tr.state_dict(),
                        stepper={"k": 0, "sample": 0, "batch_size": 32}, view={})


def phase(name: str, folder: str, sizes: list[int]) -> dict:
    sys.path.insert(0, ROOT)
    from engine.fileio import load_spec_file, save_spec_file
    from engine.session import load_session, restore, save_session
    spec_path, session_path = os.path.join(folder, "big.json"), os.path.join(folder, "big.bplens")
    t0 = time.perf_counter()
    if name == "save":
        net, s = _net_session(sizes)
        t0 = time.perf_counter()
        save_spec_file(spec_path, net.to_spec())
        t_spec = time.perf_counter() - t0
        t0 = time.perf_counter()
        save_session(session_path, s)
        return {"save spec s": t_spec, "save session s": time.perf_counter() - t0,
                "spec MB": os.path.getsize(spec_path) / 1e6,
                "session MB": os.path.getsize(session_path) / 1e6}
    if name == "load spec":
        load_spec_file(spec_path)
    elif name == "load session":
        restore(load_session(session_path), session_path)
    return {f"{name} s": time.perf_counter() - t0}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sizes", default="2,4000,4000,1")
    p.add_argument("--phase", help=argparse.SUPPRESS)
    p.add_argument("--folder", help=argparse.SUPPRESS)
    a = p.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    if a.phase:
        out = phase(a.phase, a.folder, sizes)
        out["peak RSS MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(out))
        return
    n_params = sum(n * (m + 1) for m, n in zip(sizes, sizes[1:]))
    print(f"network {a.sizes}: {n_params:,} parameters")
    with tempfile.TemporaryDirectory() as folder:
        for name in ("save", "load spec", "load session"):
            r = subprocess.run([sys.executable, __file__, "--sizes", a.sizes, "--phase", name,
                                "--folder", folder], capture_output=True, text=True, check=True)
            res = json.loads(r.stdout)
            print(f"{name:>13}: " + ", ".join(f"{k} {v:.1f}" for k, v in res.items()))


if __name__ == "__main__":
    main()
