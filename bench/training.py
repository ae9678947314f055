"""Benchmark a training loop built from nbgrad.nn and nbgrad.optim against torch and against
a NumPy-by-hand floor.

Run from the repository root::

    .venv/bin/python bench/training.py            # the full run (under a minute)
    .venv/bin/python bench/training.py --quick    # a smoke run: few repeats

Two benchmarks, each measured three ways:

1. one **epoch on two moons**: 1,000 points in shuffled mini-batches of 32 (32 steps), an MLP
   2-16-16-1 with ReLU, ``BCEWithLogitsLoss`` and ``SGD(lr=0.1, momentum=0.9)``;
2. one **step of a 784-256-10 MLP** on a batch of 64 (the MNIST shape), ReLU,
   ``CrossEntropyLoss`` and ``SGD(lr=0.01, momentum=0.9)``.

A step is ``zero_grad()``, forward, loss, ``backward()``, ``step()``. **nbgrad** and
**torch** run the same code (the functions below take the framework module as ``t``); the
**NumPy floor** does the same arithmetic on float32 arrays with the backward written by hand
and the momentum update in place: what the maths costs from Python, with no graph. nbgrad
and the floor take turns in one fresh process (so that a busy machine slows both alike),
torch runs in another (``--separate``: each alone); every implementation first checks that a
few steps from the same weights give the floor's losses and weights. BLAS and torch run on
one thread (``--threads``), so the ratios measure overhead, not thread scheduling.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from harness import (
    child_main,
    command_line,
    load_average,
    machine_facts,
    markdown_table,
    median,
    per_call,
    run_child,
    take_turns,
)

SCRIPT = Path(__file__).resolve()
REPO = SCRIPT.parent.parent
IMPLS = ("nbgrad", "torch", "floor")
SEED = 0
TARGET = 1.3  # nbgrad / floor
CHECK_RTOL = 1e-4
CHECK_STEPS = 5

MOONS = {"n": 1000, "batch": 32, "sizes": (2, 16, 16, 1), "lr": 0.1, "momentum": 0.9}
MNIST = {"batch": 64, "sizes": (784, 256, 10), "lr": 0.01, "momentum": 0.9}


@dataclass(frozen=True)
class Config:
    moons_inner: int = 3  # epochs per timed block
    mnist_inner: int = 10  # steps per timed block
    repeats: int = 21  # timed blocks per benchmark and implementation
    warmup: int = 2


FULL = Config()
QUICK = Config(moons_inner=1, mnist_inner=2, repeats=3, warmup=1)


# --- data and initial weights (seeded; the same arrays in every process) ------------------


def init_weights(sizes: tuple[int, ...], seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """torch's Linear initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn by NumPy."""
    rng = np.random.default_rng(seed)
    out = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(n_in)
        out.append((rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32),
                    rng.uniform(-bound, bound, n_out).astype(np.float32)))
    return out


def moons_data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED)
    n = MOONS["n"]
    a = rng.uniform(0, np.pi, n)
    label = rng.integers(0, 2, n)
    x = np.where(label[:, None] == 0, np.stack([np.cos(a), np.sin(a)], 1),
                 np.stack([1 - np.cos(a), 0.5 - np.sin(a)], 1))
    x = x + rng.normal(0, 0.1, x.shape)
    return {"X": x.astype(np.float32), "y": label[:, None].astype(np.float32),
            "order": rng.permutation(n).astype(np.int64)}


def mnist_data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED + 1)
    return {"X": rng.random((MNIST["batch"], 784), dtype=np.float32),
            "y": rng.integers(0, 10, MNIST["batch"]).astype(np.int64)}


# --- nbgrad and torch: the same code --------------------------------------------------------


def build(t: ModuleType, weights: list[tuple[np.ndarray, np.ndarray]]) -> Any:
    layers: list[Any] = []
    for i, (w, b) in enumerate(weights):
        lin = t.nn.Linear(w.shape[1], w.shape[0])
        with t.no_grad():
            lin.weight.copy_(t.tensor(w))
            lin.bias.copy_(t.tensor(b))
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(t.nn.ReLU())
    return t.nn.Sequential(*layers)


class Framework:
    def __init__(self, t: ModuleType) -> None:
        self.t = t

    def moons(self) -> tuple[Callable[[], float], Callable[[], list[np.ndarray]]]:
        """An epoch function (returning the last loss) and a weights reader."""
        t = self.t
        d = moons_data()
        X, y, order = t.tensor(d["X"]), t.tensor(d["y"]), t.tensor(d["order"])
        model = build(t, init_weights(MOONS["sizes"], SEED))
        opt = t.optim.SGD(model.parameters(), lr=MOONS["lr"], momentum=MOONS["momentum"])
        loss_fn = t.nn.BCEWithLogitsLoss()
        n, bs = MOONS["n"], MOONS["batch"]

        def epoch() -> float:
            Xs, ys = X[order], y[order]
            for start in range(0, n, bs):
                opt.zero_grad()
                loss = loss_fn(model(Xs[start:start + bs]), ys[start:start + bs])
                loss.backward()
                opt.step()
            return loss.item()

        return epoch, lambda: [p.detach().numpy().copy() for p in model.parameters()]

    def mnist(self) -> tuple[Callable[[], float], Callable[[], list[np.ndarray]]]:
        t = self.t
        d = mnist_data()
        X, y = t.tensor(d["X"]), t.tensor(d["y"])
        model = build(t, init_weights(MNIST["sizes"], SEED + 2))
        opt = t.optim.SGD(model.parameters(), lr=MNIST["lr"], momentum=MNIST["momentum"])
        loss_fn = t.nn.CrossEntropyLoss()

        def step() -> float:
            opt.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            opt.step()
            return loss.item()

        return step, lambda: [p.detach().numpy().copy() for p in model.parameters()]


# --- the NumPy floor: the same arithmetic, backward by hand ---------------------------------


def _mlp_grads(params: list[np.ndarray], x: np.ndarray,
               loss_grad: Callable[[np.ndarray], tuple[float, np.ndarray]]
               ) -> tuple[float, list[np.ndarray]]:
    """Forward through Linear/ReLU layers, then the backward by hand; ``params`` alternates
    weight, bias. The input's own gradient is not computed (nothing needs it)."""
    n_layers = len(params) // 2
    inputs, h = [], x
    for i in range(n_layers):
        w, b = params[2 * i], params[2 * i + 1]
        inputs.append(h)
        z = h @ w.T
        z += b
        h = np.maximum(z, 0) if i < n_layers - 1 else z
    loss, dz = loss_grad(h)
    grads: list[np.ndarray] = [None] * len(params)  # type: ignore[list-item]
    for i in reversed(range(n_layers)):
        grads[2 * i] = dz.T @ inputs[i]
        grads[2 * i + 1] = dz.sum(0)
        if i:
            dz = dz @ params[2 * i]
            dz *= inputs[i] > 0
    return loss, grads


def _bce_logits(y: np.ndarray) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    def loss_grad(z: np.ndarray) -> tuple[float, np.ndarray]:
        e = np.exp(-np.abs(z))
        loss = float((np.maximum(z, 0) - z * y + np.log1p(e)).mean())
        sig = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
        return loss, (sig - y) / z.size

    return loss_grad


def _cross_entropy(y: np.ndarray) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    rows = np.arange(len(y))

    def loss_grad(z: np.ndarray) -> tuple[float, np.ndarray]:
        shifted = z - z.max(1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(1, keepdims=True)
        loss = float(-(shifted[rows, y] - np.log(s[:, 0])).mean())
        dz = e / s
        dz[rows, y] -= 1
        dz /= len(y)
        return loss, dz

    return loss_grad


class _FloorSGD:
    def __init__(self, params: list[np.ndarray], lr: float, momentum: float) -> None:
        self.params, self.lr, self.momentum = params, lr, momentum
        self.bufs: list[np.ndarray | None] = [None] * len(params)

    def step(self, grads: list[np.ndarray]) -> None:
        for i, (p, g) in enumerate(zip(self.params, grads)):
            buf = self.bufs[i]
            if buf is None:
                buf = self.bufs[i] = g.copy()
            else:
                buf *= self.momentum
                buf += g
            p -= buf * self.lr


class Floor:
    @staticmethod
    def _params(weights: list[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
        return [a.copy() for pair in weights for a in pair]

    def moons(self) -> tuple[Callable[[], float], Callable[[], list[np.ndarray]]]:
        d = moons_data()
        X, y, order = d["X"], d["y"], d["order"]
        params = self._params(init_weights(MOONS["sizes"], SEED))
        opt = _FloorSGD(params, MOONS["lr"], MOONS["momentum"])
        n, bs = MOONS["n"], MOONS["batch"]

        def epoch() -> float:
            Xs, ys = X[order], y[order]
            for start in range(0, n, bs):
                loss, grads = _mlp_grads(params, Xs[start:start + bs],
                                         _bce_logits(ys[start:start + bs]))
                opt.step(grads)
            return loss

        return epoch, lambda: [p.copy() for p in params]

    def mnist(self) -> tuple[Callable[[], float], Callable[[], list[np.ndarray]]]:
        d = mnist_data()
        X, loss_grad = d["X"], _cross_entropy(d["y"])
        params = self._params(init_weights(MNIST["sizes"], SEED + 2))
        opt = _FloorSGD(params, MNIST["lr"], MNIST["momentum"])

        def step() -> float:
            loss, grads = _mlp_grads(params, X, loss_grad)
            opt.step(grads)
            return loss

        return step, lambda: [p.copy() for p in params]


Impl = Framework | Floor


def load(impl: str, no_torch: bool) -> tuple[Impl | None, dict[str, Any]]:
    if impl == "floor":
        return Floor(), {}
    if impl == "torch":
        if no_torch:
            return None, {"reason": "--no-torch"}
        try:
            import torch
        except Exception as exc:  # ImportError, or a broken install
            return None, {"reason": f"{type(exc).__name__}: {exc}"}
        torch.manual_seed(SEED)
        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", torch.get_num_threads())))
        return Framework(torch), {"version": torch.__version__,
                                  "threads": torch.get_num_threads()}
    sys.path.insert(0, str(REPO))
    import nbgrad

    nbgrad.manual_seed(SEED)
    return Framework(nbgrad), {"version": nbgrad.__version__}


# --- the child process ----------------------------------------------------------------------


def _rel_err(got: list[np.ndarray], want: list[np.ndarray]) -> float:
    return max(float(np.max(np.abs(g - w))) / (float(np.max(np.abs(w))) or 1.0)
               for g, w in zip(got, want))


def check(impl: Impl) -> dict[str, float]:
    """The largest relative difference from the floor, in losses and weights, after
    ``CHECK_STEPS`` epochs (moons) and steps (784-256-10) from the same weights."""
    out = {}
    for name in ("moons", "mnist"):
        run, weights = getattr(impl, name)()
        frun, fweights = getattr(Floor(), name)()
        losses = [run() for _ in range(CHECK_STEPS)]
        flosses = [frun() for _ in range(CHECK_STEPS)]
        loss_err = max(abs(a - b) / abs(b) for a, b in zip(losses, flosses))
        out[name] = max(loss_err, _rel_err(weights(), fweights()))
    return out


def child(names: list[str], cfg: Config, no_torch: bool) -> dict[str, Any]:
    """Check and time the implementations ``names`` in this process. Their timed blocks
    take turns (in a rotating order), so that a change in the machine's load while it runs
    falls on all of them alike. Times are medians, in seconds."""
    results: dict[str, Any] = {}
    runners = {}
    for name in names:
        impl, info = load(name, no_torch)
        if impl is None:
            results[name] = {"available": False, **info}
            continue
        results[name] = {"available": True, **info,
                         "checks": {} if name == "floor" else check(impl)}
        runners[name] = {"moons": per_call(impl.moons()[0], cfg.moons_inner),
                         "mnist": per_call(impl.mnist()[0], cfg.mnist_inner)}
    def both(bench: dict[str, Callable[[], tuple[float]]]) -> Callable[[], tuple[float, float]]:
        return lambda: (bench["moons"]()[0], bench["mnist"]()[0])

    runs = take_turns({name: both(bench) for name, bench in runners.items()},
                      cfg.repeats, cfg.warmup)
    for name, blocks in runs.items():
        results[name]["times"] = {"moons": median(b[0] for b in blocks),
                                  "mnist": median(b[1] for b in blocks)}
    return results


# --- the report -----------------------------------------------------------------------------


def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x * 1e3:.3f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a / b:.2f}x"


def report(cfg: Config, results: dict[str, dict[str, Any]],
           load: tuple[float, float, float] | None, separate: bool) -> tuple[str, bool]:
    def time_of(impl: str, key: str) -> float | None:
        res = results[impl]
        return res["times"][key] if res.get("available") else None

    facts = machine_facts(REPO, "see bench/engine.py", results["torch"].get("threads"), load)
    lines = ["## nbgrad training benchmark", "", f"Command: `{command_line()}`", ""]
    lines += [f"- {label}: {value}" for label, value in facts if label != "NumPy"]
    lines.append(f"- NumPy: {np.__version__}")
    rows, verdicts = [], []
    for key, label in (("moons", "two moons, one epoch (32 steps of 32), 2-16-16-1"),
                       ("mnist", "784-256-10, one step, batch 64")):
        nb, tr, fl = (time_of(i, key) for i in IMPLS)
        verdict = "n/a" if nb is None or fl is None else (
            "PASS" if nb / fl <= TARGET else "MISS")
        verdicts.append(verdict)
        rows.append([label, "ms", _ms(nb), _ms(tr), _ms(fl), _ratio(nb, tr), _ratio(nb, fl),
                     f"<= {TARGET}x floor", verdict])
    header = ["benchmark", "unit", "nbgrad", "torch", "NumPy floor", "nbgrad/torch",
              "nbgrad/floor", "target", "result"]
    right = [False, False, True, True, True, True, True, False, False]
    lines += ["", markdown_table(header, rows, right), ""]
    failed = False
    problems, checked = [], []
    for impl, res in results.items():
        if "error" in res:
            failed = True
            problems.append(f"- {impl} crashed: {res['error']}")
        elif not res.get("available"):
            problems.append(f"- {impl} not measured: {res.get('reason')}")
        elif impl != "floor":
            worst = max(res["checks"].values())
            bad = [k for k, v in res["checks"].items() if not v <= CHECK_RTOL]
            failed |= bool(bad)
            checked.append(f"{impl} {worst:.1e}" + (f" (MISMATCH in {', '.join(bad)})"
                                                   if bad else ""))
    lines += [
        f"Targets met: {verdicts.count('PASS')} of {len(verdicts)}.",
        "",
        "How this was measured:",
        ("- Each implementation runs in its own fresh Python process, one after the other"
         if separate else
         "- nbgrad and the floor run in one fresh Python process, their timed blocks taking "
         "turns (a change in the machine's load falls on both alike); torch runs in a process "
         "of its own (loaded next to them it slows NumPy code down as well)")
        + f", with {os.environ.get('OMP_NUM_THREADS', '?')} BLAS / torch thread(s) "
        "(--threads).",
        f"- time.perf_counter; median of {cfg.repeats} blocks of {cfg.moons_inner} epoch(s) "
        f"and of {cfg.repeats} blocks of {cfg.mnist_inner} step(s), after {cfg.warmup} "
        "warm-up block(s). The garbage collector stays on.",
        "- A step: zero_grad(), forward, loss, backward(), SGD-with-momentum step(); the "
        "epoch also shuffles the data (one fancy index) and slices the batches.",
        "- NumPy floor: the same float32 arithmetic, backward by hand, momentum update in "
        "place; the input's gradient is not computed (nor do the autograds compute it).",
        f"- Checked first: {CHECK_STEPS} epochs / steps from the same weights give the "
        f"floor's losses and weights (max relative difference, limit {CHECK_RTOL:g}): "
        f"{'; '.join(checked) or 'nothing to check'}.",
    ]
    if load is not None and load[0] > 0.5:
        problems.append(f"- the machine was busy before the run (1-minute load average "
                        f"{load[0]:.2f}): other processes may have slowed some measurements")
    if problems:
        lines += ["", "Problems:", *problems]
    return "\n".join(lines), failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run: few repeats")
    parser.add_argument("--no-torch", action="store_true",
                        help="leave torch out, as if it were not installed")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS and torch threads in each process (default 1: the "
                             "comparison then measures overhead, not thread scheduling)")
    parser.add_argument("--separate", action="store_true",
                        help="measure each implementation in its own process, one after the "
                             "other (default: nbgrad and the floor taking turns in one "
                             "process, torch in another)")
    parser.add_argument("--child", nargs="+", choices=IMPLS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    if args.child:
        child_main(lambda: child(args.child, cfg, args.no_torch))
        return 0
    # read by OpenBLAS / MKL / OpenMP when the child processes start, and by torch (load)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    flags = [*(["--quick"] if args.quick else []), *(["--no-torch"] if args.no_torch else [])]
    load = load_average()
    start = time.perf_counter()
    # torch stays out of the nbgrad/floor process: loaded, it slows NumPy code down too
    groups = [[impl] for impl in IMPLS] if args.separate else [["nbgrad", "floor"], ["torch"]]
    results: dict[str, Any] = {}
    for group in groups:
        print(f"[{time.perf_counter() - start:5.1f}s] measuring {', '.join(group)}",
              file=sys.stderr, flush=True)
        out = run_child(SCRIPT, ["--child", *group, *flags])
        for impl in group:
            results[impl] = out.get(impl, out) if "error" not in out else out
    text, failed = report(cfg, results, load, args.separate)
    print(text)
    print(f"[{time.perf_counter() - start:5.1f}s] done", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
