"""Benchmark nbgrad's autograd engine against torch and against a NumPy-by-hand floor.

Run from the repository root::

    .venv/bin/python bench/engine.py            # the full run (under a minute on an idle machine)
    .venv/bin/python bench/engine.py --quick    # a smoke run: small sizes, few repeats

It prints one Markdown table. Every benchmark is measured three ways:

* **nbgrad** and **torch**, through the same code: the functions below take the framework
  module as a parameter (``t``) and use only the API the two share;
* the **NumPy floor**: the same maths on NumPy float32 arrays, with the backward written out
  by hand op by op (no autograd, no graph). It is what the arithmetic costs from Python; an
  autograd's overhead is how far it stays above it.

The implementations whose ratio a target sets share a fresh Python process, their timed
blocks taking turns (in a rotating order): the machine's speed can change by 2x from one
second to the next on a shared virtual machine, and taking turns makes such a change fall on
all of them alike, so that the ratio holds. Benchmark 1 (0-d scalars, no thread pools) runs
nbgrad and torch in one process and the floor in another (next to both, its short chains ran
2-3x slower); 2 and 3 run nbgrad and the floor in one and torch in another, as torch's and
OpenBLAS's worker threads spin after each parallel region and, in one process, slow each
other down several-fold. Benchmark 4 runs each implementation alone (it measures peak
memory). Before timing, each process checks that its losses and gradients agree with
the floor's, so that all three measure the same work.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from harness import (
    OtherLoad,
    PeakMemory,
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
MUL, ADD = 0.9, 0.1  # the chain's constants: y -> tanh(sin(MUL * y + ADD) ** 2) per cycle
OPS_PER_CYCLE = 5  # mul, add, sin, square, tanh
X0 = 0.5  # where the chain starts
EPS = 1e-6  # the BCE loss clamps probabilities to [EPS, 1 - EPS]
LR = 0.1
CHECK_CYCLES = 10  # the gradient check runs a 50-op chain (a 2,000-op gradient underflows)
CHECK_RTOL = 1e-3


@dataclass(frozen=True)
class Config:
    chain_ops: int = 2_000
    chain_repeats: int = 21
    logreg_inner: int = 50
    logreg_repeats: int = 21
    mlp_inner: int = 5
    mlp_repeats: int = 21
    long_ops: int = 100_000
    long_repeats: int = 2
    warmup: int = 2
    rounds: int = 3  # rounds of the processes of benchmarks 1-3 (PROCESSES)
    long_rounds: int = 2  # fresh processes per implementation for benchmark 4

    def inner(self, bench: str) -> int:
        """Steps per timed block of benchmark 2 or 3."""
        return {"logreg": self.logreg_inner, "mlp": self.mlp_inner}[bench]

    def repeats(self, bench: str) -> int:
        """Timed blocks per process of benchmark 1, 2 or 3."""
        return {"chain": self.chain_repeats, "logreg": self.logreg_repeats,
                "mlp": self.mlp_repeats}[bench]


FULL = Config()
QUICK = Config(chain_ops=500, chain_repeats=3, logreg_inner=5, logreg_repeats=3, mlp_inner=1,
               mlp_repeats=3, long_ops=10_000, long_repeats=1, warmup=1, rounds=1,
               long_rounds=1)


# --- data (seeded; the same arrays in every process) -------------------------------------


def logreg_data() -> dict[str, np.ndarray]:
    """64 points with 10 features, labels from a noisy linear rule; w is 10x1, b a scalar."""
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((64, 10)).astype(np.float32)
    w_true = rng.standard_normal((10, 1))
    y = (x @ w_true + 0.5 * rng.standard_normal((64, 1)) > 0).astype(np.float32)
    return {
        "X": x, "y": y, "one_minus_y": (1 - y).astype(np.float32),
        "w": (0.1 * rng.standard_normal((10, 1))).astype(np.float32),
        "b": np.zeros((), dtype=np.float32),
    }


def mlp_data() -> dict[str, np.ndarray]:
    """A batch of 128 inputs of 784 features, one-hot labels over 10 classes, and a
    784-256-10 network with He-initialised weights and zero biases."""
    rng = np.random.default_rng(SEED + 1)
    x = rng.standard_normal((128, 784)).astype(np.float32)
    labels = rng.integers(0, 10, size=128)
    return {
        "X": x, "Y": np.eye(10, dtype=np.float32)[labels],
        "W1": (rng.standard_normal((784, 256)) * np.sqrt(2 / 784)).astype(np.float32),
        "b1": np.zeros(256, dtype=np.float32),
        "W2": (rng.standard_normal((256, 10)) * np.sqrt(2 / 256)).astype(np.float32),
        "b2": np.zeros(10, dtype=np.float32),
    }


LOGREG_PARAMS = ("w", "b")
MLP_PARAMS = ("W1", "b1", "W2", "b2")


# --- the maths, written once for nbgrad and torch ------------------------------------------


def chain(x: Any, cycles: int) -> Any:
    """``cycles`` rounds of mul, add, sin, square, tanh on a 0-d tensor."""
    y = x
    for _ in range(cycles):
        y = (y * MUL + ADD).sin().square().tanh()
    return y


def logreg_loss(t: ModuleType, p: dict[str, Any], c: dict[str, Any]) -> Any:
    """Binary cross-entropy of a logistic regression, with clamped probabilities."""
    prob = t.sigmoid(c["X"] @ p["w"] + p["b"])
    prob = t.clamp(prob, EPS, 1 - EPS)
    return -(c["y"] * t.log(prob) + c["one_minus_y"] * t.log(1 - prob)).mean()


def mlp_loss(t: ModuleType, p: dict[str, Any], c: dict[str, Any]) -> Any:
    """Softmax cross-entropy of a one-hidden-layer ReLU network."""
    h = t.relu(c["X"] @ p["W1"] + p["b1"])
    logp = t.log_softmax(h @ p["W2"] + p["b2"], dim=1)
    return -(logp * c["Y"]).sum(dim=1).mean()


def sgd(t: ModuleType, params: list[Any]) -> None:
    """One SGD update, then the gradients cleared to None, as torch 2's (and nbgrad's)
    ``optimizer.zero_grad()`` does by default: the next backward then stores each gradient
    instead of adding it into zeros, in torch as in nbgrad (bench/training.py's loop does
    the same through the optimizers)."""
    with t.no_grad():
        for p in params:
            p.sub_(LR * p.grad)
            p.grad = None


Timed = Callable[[], tuple[float, ...]]
LossFn = Callable[[ModuleType, dict[str, Any], dict[str, Any]], Any]


class Framework:
    """nbgrad or torch, driven through the module they both present."""

    def __init__(self, module: ModuleType) -> None:
        self.t = module

    def _tensors(self, data: dict[str, np.ndarray], names: tuple[str, ...]
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
        t = self.t
        params = {k: t.tensor(v, requires_grad=True) for k, v in data.items() if k in names}
        consts = {k: t.tensor(v) for k, v in data.items() if k not in names}
        return params, consts

    def chain_runner(self, cycles: int) -> Timed:
        x = self.t.tensor(X0, requires_grad=True)

        def run() -> tuple[float, float, float]:
            x.grad = None
            t0 = time.perf_counter()
            y = chain(x, cycles)
            t1 = time.perf_counter()
            y.backward()
            t2 = time.perf_counter()
            del y
            return t1 - t0, t2 - t1, time.perf_counter() - t2

        return run

    def chain_result(self, cycles: int) -> dict[str, np.ndarray]:
        x = self.t.tensor(X0, requires_grad=True)
        y = chain(x, cycles)
        y.backward()
        return {"value": np.asarray(y.item()), "grad": x.grad.numpy()}

    def grads(self, loss_fn: LossFn, data: dict[str, np.ndarray], names: tuple[str, ...]
              ) -> dict[str, np.ndarray]:
        params, consts = self._tensors(data, names)
        loss = loss_fn(self.t, params, consts)
        loss.backward()
        return {"loss": np.asarray(loss.item()),
                **{k: p.grad.numpy().copy() for k, p in params.items()}}

    def stepper(self, loss_fn: LossFn, data: dict[str, np.ndarray], names: tuple[str, ...]
                ) -> Callable[[], None]:
        params, consts = self._tensors(data, names)
        plist = list(params.values())
        t = self.t

        def step() -> None:
            loss_fn(t, params, consts).backward()
            sgd(t, plist)

        return step


# --- the NumPy floor: the same maths with the backward written by hand --------------------


def floor_chain(x: np.float32, cycles: int) -> tuple[np.float32, list[tuple]]:
    """The chain on a NumPy float32 scalar, keeping what the backward needs."""
    tape = []
    y = x
    for _ in range(cycles):
        b = y * MUL + ADD
        s = np.sin(b)
        y = np.tanh(s * s)
        tape.append((b, s, y))
    return y, tape


def floor_chain_backward(tape: list[tuple]) -> np.float32:
    g = np.float32(1.0)
    for b, s, y in reversed(tape):
        # tanh, square, sin, add (passes g through), mul
        g = g * (1 - y * y) * (2 * s) * np.cos(b) * MUL
    return g


def floor_logreg(p: dict[str, np.ndarray], c: dict[str, np.ndarray]
                 ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    x, y, omy = c["X"], c["y"], c["one_minus_y"]
    z = x @ p["w"] + p["b"]
    prob = 1 / (1 + np.exp(-z))
    pc = np.clip(prob, EPS, 1 - EPS)
    one_minus = 1 - pc
    terms = y * np.log(pc) + omy * np.log(one_minus)
    loss = -terms.mean()
    g_terms = -1 / terms.size  # d loss / d terms, the same for every element
    g_pc = (g_terms * y) / pc - (g_terms * omy) / one_minus
    g_prob = g_pc * ((prob >= EPS) & (prob <= 1 - EPS))
    g_z = g_prob * prob * (1 - prob)
    return loss, {"w": x.T @ g_z, "b": g_z.sum()}


def floor_mlp(p: dict[str, np.ndarray], c: dict[str, np.ndarray]
              ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    x, onehot = c["X"], c["Y"]
    z1 = x @ p["W1"] + p["b1"]
    h = np.maximum(z1, 0)
    logits = h @ p["W2"] + p["b2"]
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -(logp * onehot).sum(axis=1).mean()
    g_logp = onehot * (-1 / x.shape[0])
    g_logits = g_logp - np.exp(logp) * g_logp.sum(axis=1, keepdims=True)
    g_h = g_logits @ p["W2"].T
    g_z1 = g_h * (h > 0)
    return loss, {"W1": x.T @ g_z1, "b1": g_z1.sum(axis=0),
                  "W2": h.T @ g_logits, "b2": g_logits.sum(axis=0)}


FloorFn = Callable[[dict[str, np.ndarray], dict[str, np.ndarray]],
                   tuple[np.ndarray, dict[str, np.ndarray]]]
FLOOR_OF: dict[Any, FloorFn] = {logreg_loss: floor_logreg, mlp_loss: floor_mlp}


class Floor:
    """The NumPy-by-hand floor, with the same methods as ``Framework``."""

    def chain_runner(self, cycles: int) -> Timed:
        x = np.float32(X0)

        def run() -> tuple[float, float, float]:
            t0 = time.perf_counter()
            y, tape = floor_chain(x, cycles)
            t1 = time.perf_counter()
            floor_chain_backward(tape)
            t2 = time.perf_counter()
            del y, tape
            return t1 - t0, t2 - t1, time.perf_counter() - t2

        return run

    def chain_result(self, cycles: int) -> dict[str, np.ndarray]:
        y, tape = floor_chain(np.float32(X0), cycles)
        return {"value": np.asarray(y), "grad": np.asarray(floor_chain_backward(tape))}

    def _split(self, data: dict[str, np.ndarray], names: tuple[str, ...]
               ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        params = {k: v.copy() for k, v in data.items() if k in names}
        return params, {k: v for k, v in data.items() if k not in names}

    def grads(self, loss_fn: LossFn, data: dict[str, np.ndarray], names: tuple[str, ...]
              ) -> dict[str, np.ndarray]:
        params, consts = self._split(data, names)
        loss, grads = FLOOR_OF[loss_fn](params, consts)
        return {"loss": np.asarray(loss), **grads}

    def stepper(self, loss_fn: LossFn, data: dict[str, np.ndarray], names: tuple[str, ...]
                ) -> Callable[[], None]:
        params, consts = self._split(data, names)
        forward_backward = FLOOR_OF[loss_fn]

        def step() -> None:
            _, grads = forward_backward(params, consts)
            for k, p in params.items():
                p -= LR * grads[k]  # in place, like sub_

        return step


Impl = Framework | Floor


def load(impl: str, no_torch: bool) -> tuple[Impl | None, dict[str, Any]]:
    """The implementation ``impl`` and facts about it; None when torch is unavailable."""
    if impl == "floor":
        return Floor(), {}
    if impl == "torch":
        if no_torch:
            return None, {"reason": "--no-torch"}
        try:
            import torch
        except Exception as exc:  # ImportError, or a broken install (OSError from a .so)
            return None, {"reason": f"{type(exc).__name__}: {exc}"}
        torch.manual_seed(SEED)
        return Framework(torch), {"version": torch.__version__,
                                  "threads": torch.get_num_threads()}
    import nbgrad

    nbgrad.manual_seed(SEED)
    return Framework(nbgrad), {"version": nbgrad.__version__}


# --- the child processes -----------------------------------------------------------------

BENCHES = ("chain", "logreg", "mlp", "long")  # benchmarks 1, 2, 3 and 4
ROW_OF = dict(zip(BENCHES, ("1", "2", "3", "4")))
STEP_BENCHES: dict[str, tuple[LossFn, Callable[[], dict[str, np.ndarray]], tuple[str, ...]]] = {
    "logreg": (logreg_loss, logreg_data, LOGREG_PARAMS),
    "mlp": (mlp_loss, mlp_data, MLP_PARAMS),
}


def _max_rel_err(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> float:
    worst = 0.0
    for k, w in want.items():
        scale = float(np.max(np.abs(w))) or 1.0
        worst = max(worst, float(np.max(np.abs(np.asarray(got[k]) - w))) / scale)
    return worst


def _check_result(impl: Impl, bench: str) -> dict[str, np.ndarray]:
    if bench == "chain":
        return impl.chain_result(CHECK_CYCLES)
    loss_fn, data, names = STEP_BENCHES[bench]
    return impl.grads(loss_fn, data(), names)


def checks(impl: Impl, benches: Sequence[str]) -> dict[str, float]:
    """The largest relative difference from the floor's loss and gradients, per benchmark."""
    return {b: _max_rel_err(_check_result(impl, b), _check_result(Floor(), b)) for b in benches}


def _block(impl: Impl, bench: str, cfg: Config) -> Timed:
    """A function timing one block of benchmark ``bench`` (1 to 3)."""
    if bench == "chain":
        return impl.chain_runner(cfg.chain_ops // OPS_PER_CYCLE)
    loss_fn, data, names = STEP_BENCHES[bench]
    return per_call(impl.stepper(loss_fn, data(), names), cfg.inner(bench))


def _samples(bench: str, blocks: list[tuple[float, ...]], cfg: Config
             ) -> dict[str, list[float]]:
    """The durations of a benchmark's timed blocks by the table's keys, in seconds per op
    (the chain) or per step."""
    if bench != "chain":
        return {bench: [seconds for (seconds,) in blocks]}
    n = cfg.chain_ops // OPS_PER_CYCLE * OPS_PER_CYCLE
    return {"chain_fwd": [f / n for f, _, _ in blocks],
            "chain_bwd": [b / n for _, b, _ in blocks],
            "chain_total": [(f + b) / n for f, b, _ in blocks],
            "chain_free": [x / n for _, _, x in blocks]}


def turns_child(benches: Sequence[str], names: Sequence[str], cfg: Config, no_torch: bool
                ) -> dict[str, dict[str, Any]]:
    """Benchmarks ``benches`` (of 1 to 3) for the implementations ``names``, in this
    process: each is first checked against the floor, then, benchmark by benchmark, their
    timed blocks take turns (``take_turns``), so that a change in the machine's speed falls
    on all of them alike. Returns, by implementation, every block's duration."""
    results: dict[str, dict[str, Any]] = {}
    impls: dict[str, Impl] = {}
    for name in names:
        impl, info = load(name, no_torch)
        if impl is None:
            results[name] = {"available": False, **info}
            continue
        impls[name] = impl
        results[name] = {"available": True, **info, "samples": {},
                         "checks": {} if name == "floor" else checks(impl, benches)}
    for bench in benches:
        blocks = {name: _block(impl, bench, cfg) for name, impl in impls.items()}
        for name, timed in take_turns(blocks, cfg.repeats(bench), cfg.warmup).items():
            results[name]["samples"].update(_samples(bench, timed, cfg))
    return results


def long_chain_child(name: str, cfg: Config, no_torch: bool) -> dict[str, dict[str, Any]]:
    """Benchmark 4 for one implementation, alone in a fresh process: peak memory of the
    first run (forward graph + backward), then times over all runs (medians, in seconds)."""
    impl, info = load(name, no_torch)
    if impl is None:
        return {name: {"available": False, **info}}
    run = impl.chain_runner(cfg.long_ops // OPS_PER_CYCLE)
    warm = impl.chain_runner(200)
    warm()
    warm()
    meter = PeakMemory()
    runs = [run()]
    peak_mb = meter.growth_mb()
    runs += [run() for _ in range(cfg.long_repeats - 1)]
    fwd, bwd, free = zip(*runs)
    times = {"long_fwd": median(fwd), "long_bwd": median(bwd), "long_free": median(free)}
    return {name: {"available": True, **info, "times": times, "peak_mb": peak_mb,
                   "memory_method": meter.method}}


# --- the table -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    id: str
    benchmark: str
    unit: str
    key: str  # in the children's "times" (seconds), or "peak_mb"
    scale: float  # from the measured quantity to ``unit``
    vs: str | None = None  # the implementation the target compares nbgrad to
    limit: float = 0.0  # nbgrad / vs must be at most this
    target: str = "-"


def rows_for(cfg: Config) -> list[Row]:
    chain = f"scalar chain, {cfg.chain_ops:,} ops"
    long = f"chain of {cfg.long_ops:,} ops"
    return [
        Row("1a", f"{chain}: forward", "us/op", "chain_fwd", 1e6),
        Row("1b", f"{chain}: backward", "us/op", "chain_bwd", 1e6),
        Row("1c", f"{chain}: forward + backward", "us/op", "chain_total", 1e6,
            "torch", 0.5, "2x faster than torch"),
        Row("1d", f"{chain}: freeing the graph", "us/op", "chain_free", 1e6),
        Row("2", "logistic regression 64x10, SGD step", "us/step", "logreg", 1e6,
            "floor", 2.0, "within 2x of floor"),
        Row("3", "MLP 784-256-10, batch 128, SGD step", "ms/step", "mlp", 1e3,
            "floor", 1.2, "within 1.2x of floor"),
        Row("4a", f"{long}: forward", "ms", "long_fwd", 1e3),
        Row("4b", f"{long}: backward", "ms", "long_bwd", 1e3,
            "torch", 1.0, "no slower than torch"),
        Row("4c", f"{long}: peak RSS growth", "MB", "peak_mb", 1.0),
    ]


def _bench(key: str) -> str:
    """The benchmark a table key belongs to."""
    return "long" if key == "peak_mb" else key.split("_")[0]


def _value(results: dict[str, Any], key: str) -> float | None:
    if not results.get("available"):
        return None
    if key == "peak_mb":
        return results["peak_mb"]
    return results["times"].get(key)


def _fmt(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.3g}" if x < 1000 else f"{x:,.0f}"


def _cell(results: dict[str, Any], value: float | None) -> str:
    return "error" if "error" in results else _fmt(value)


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def table(rows: list[Row], results: dict[str, dict[str, Any]]) -> tuple[str, list[str]]:
    """The Markdown table, and the verdict of each row that has a target. ``results`` holds
    one implementation's results for one benchmark by "benchmark:implementation"."""
    body, verdicts = [], []
    for row in rows:
        res = {i: results.get(f"{_bench(row.key)}:{i}", {}) for i in IMPLS}
        vals = {i: _value(res[i], row.key) for i in IMPLS}
        vals = {i: None if v is None else v * row.scale for i, v in vals.items()}
        vs_torch = _ratio(vals["nbgrad"], vals["torch"])
        vs_floor = _ratio(vals["nbgrad"], vals["floor"])
        if row.vs is None:
            verdict = "info"
        else:
            ratio = vs_torch if row.vs == "torch" else vs_floor
            verdict = "n/a" if ratio is None else "PASS" if ratio <= row.limit else "MISS"
            verdicts.append(verdict)
        body.append([
            row.id, row.benchmark, row.unit,
            *(_cell(res[i], vals[i]) for i in IMPLS),
            "n/a" if vs_torch is None else f"{vs_torch:.2f}x",
            "n/a" if vs_floor is None else f"{vs_floor:.2f}x",
            row.target, verdict,
        ])
    header = ["#", "benchmark", "unit", "nbgrad", "torch", "NumPy floor", "nbgrad/torch",
              "nbgrad/floor", "target", "result"]
    right = [False, False, False, True, True, True, True, True, False, False]
    return markdown_table(header, body, right), verdicts


def _blas() -> str:
    try:
        deps = np.show_config(mode="dicts")["Build Dependencies"]  # type: ignore[index]
        return f"{deps['blas']['name']} {deps['blas'].get('version', '')}".strip()
    except Exception:  # the layout of show_config is not a stable API
        return "unknown"


THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
BUSY = 0.05  # other processes taking more of the CPUs than this make timings unreliable


def _problems(results: dict[str, dict[str, Any]]) -> tuple[list[str], bool]:
    """Crashes and implementations not measured, once each; and whether something crashed."""
    crashes: dict[str, list[str]] = {}
    absent: dict[str, str] = {}
    for key, res in results.items():
        bench, impl = key.split(":")
        for error in ([res["error"]] if "error" in res else []) + res.get("failed_rounds", []):
            crashes.setdefault(error, []).append(f"{impl} in {ROW_OF[bench]}")
        if "error" not in res and not res.get("available"):
            absent.setdefault(impl, res.get("reason", "not measured"))
    lines = [f"- {impl} not measured: {reason}" for impl, reason in absent.items()]
    lines += [f"- crashed ({', '.join(dict.fromkeys(where))}): {error}"
              for error, where in crashes.items()]
    return lines, bool(crashes)


def _checks(results: dict[str, dict[str, Any]]) -> tuple[list[str], bool]:
    """Each autograd's worst difference from the floor, and whether one was too large."""
    checked, failed = [], False
    for impl in ("nbgrad", "torch"):
        errs = {bench: err for key, res in results.items() if key.endswith(f":{impl}")
                for bench, err in res.get("checks", {}).items()}
        if errs:
            bad = [ROW_OF[b] for b, v in errs.items() if not v <= CHECK_RTOL]
            failed |= bool(bad)
            checked.append(f"{impl} {max(errs.values()):.1e}" + (
                f" (MISMATCH in {', '.join(bad)})" if bad else ""))
    return checked, failed


def report(cfg: Config, results: dict[str, dict[str, Any]], threads: int | None,
           load: tuple[float, float, float] | None = None,
           shares: dict[str, list[float]] | None = None) -> tuple[str, bool]:
    """The whole printed report, and whether something went wrong (crash or bad gradient).
    ``load`` is the load average before the run, ``shares`` the CPU time other processes
    took while each group of child processes ran (from ``OtherLoad``)."""
    torch_threads = next((r["threads"] for k, r in results.items()
                          if k.endswith(":torch") and "threads" in r), None)
    facts = machine_facts(REPO, _blas(), torch_threads, load)
    lines = ["## nbgrad engine benchmark", "", f"Command: `{command_line()}`", ""]
    lines += [f"- {label}: {value}" for label, value in facts]
    rows = rows_for(cfg)
    text, verdicts = table(rows, results)
    lines.append("- Thread pools: " + ("library defaults" if threads is None else
                                       f"{threads} (--threads sets {', '.join(THREAD_VARS)})"))
    lines += ["", text, ""]

    problems, failed = _problems(results)
    checked, mismatch = _checks(results)
    failed |= mismatch
    memory = next((r["memory_method"] for r in results.values() if "memory_method" in r),
                  "not measured")
    processes = "; ".join(f"{', '.join(ROW_OF[b] for b in benches)} ({', '.join(impls)})"
                          for benches, impls in PROCESSES)
    lines += [
        f"Targets met: {verdicts.count('PASS')} of {len(verdicts)}"
        + (f" ({verdicts.count('n/a')} not measurable)." if "n/a" in verdicts else "."),
        "",
        "How this was measured:",
        f"- 1-3: fresh Python processes for {processes}; in each, the implementations' "
        "timed blocks take turns in a rotating order, so that a change in the machine's "
        "speed (other work, a shared host) falls on them alike and the ratio that a target "
        "sets holds. torch stays out of the process of 2 and 3 (in one process, torch's and "
        "OpenBLAS's spinning worker threads slow each other down several-fold); in 1 (0-d "
        "tensors) it starts no threads and, measured, neither it nor nbgrad slowed the "
        "other down beyond the machine's noise, but the floor's short chains ran 2-3x slower "
        "next to both, so they run alone (1's nbgrad/floor compares two processes). "
        f"{cfg.rounds} round(s) of these processes, taking turns; each figure is the median "
        "of all the rounds' timed blocks.",
        f"- 4: each implementation alone in fresh processes ({cfg.long_rounds} each, taking "
        "turns; peak memory needs a process of its own); each figure is the lowest of the "
        "processes' medians.",
        f"- Times: time.perf_counter, {cfg.warmup} warm-up round(s), then per process 1: "
        f"{cfg.chain_repeats} whole chains (forward, backward, dropping the graph), per op = "
        f"time / {cfg.chain_ops:,}. 2, 3: {cfg.logreg_repeats} and {cfg.mlp_repeats} blocks "
        f"of {cfg.logreg_inner} and {cfg.mlp_inner} steps. 4: {cfg.long_repeats} runs. The "
        "garbage collector stays on, as in real use.",
        "- A step is forward, loss.backward(), then under no_grad `p.sub_(lr * p.grad)` and "
        "`p.grad = None` (what torch 2's `optimizer.zero_grad()` does by default) for every "
        "parameter. float32 throughout; seed 0.",
        "- NumPy floor: the same forward on NumPy float32 arrays (scalars in 1 and 4) and the "
        "backward derived by hand, op by op, for the inputs that need it; no graph.",
        f"- Memory (4c): peak = {memory}; baseline taken after imports, setup and two "
        "1,000-op warm-up chains, peak over the first long chain of the process (forward "
        "graph, backward, gradients).",
        f"- Checked in each process before timing: loss and gradients agree with the floor's "
        f"(max relative difference, limit {CHECK_RTOL:g}): "
        f"{'; '.join(checked) or 'nothing to check'}.",
    ]
    if shares:
        each = "; ".join(f"{label} {', '.join(f'{s:.0%}' for s in values)}"
                         for label, values in shares.items())
        lines.append("- CPU time other processes took while each process ran (share of all "
                     f"CPUs, round by round): {each}.")
        busy = [label for label, values in shares.items() if max(values) > BUSY]
        if busy:
            problems.append(f"- other processes took over {BUSY:.0%} of the CPUs while "
                            f"measuring {'; '.join(busy)}: those figures are slower and "
                            "noisier than on an idle machine (the ratios that the targets of "
                            "1-3 set much less so: each pair took turns in one process)")
    if problems:
        lines += ["", "Problems:", *problems]
    return "\n".join(lines), failed


# --- entry point ---------------------------------------------------------------------------

# The fresh processes of benchmarks 1-3: (benchmarks, implementations taking turns in it).
# Each target's pair shares a process. torch does not join nbgrad and the floor for 2 and 3
# (BLAS threads); for 1 (0-d tensors) it starts no threads and, measured, neither it nor
# nbgrad was slowed by the other, but the floor's short chains ran 2-3x slower next to both,
# so the floor's 1 runs alone.
PROCESSES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("chain",), ("nbgrad", "torch")),
    (("chain",), ("floor",)),
    (("logreg", "mlp"), ("nbgrad", "floor")),
    (("logreg", "mlp"), ("torch",)),
)
LONG_PROCESSES = tuple((("long",), (impl,)) for impl in IMPLS)


def combine(runs: list[dict[str, Any]], pool: bool) -> dict[str, Any]:
    """One implementation's results for one benchmark over the rounds. With ``pool``
    (benchmarks 1-3, whose implementations take turns), each figure is the median of all
    the rounds' timed blocks; without (4, each alone), the lowest of the rounds' medians (a
    process that the machine slowed down tells nothing about the code). Each gradient
    error is the worst of the rounds'."""
    good = [r for r in runs if "error" not in r and r.get("available")]
    if not good:
        return runs[0]
    first = good[0]
    merged = {**first, "rounds": len(good),
              "failed_rounds": [r["error"] for r in runs if "error" in r]}
    if pool:
        del merged["samples"]
        merged["times"] = {k: median([x for r in good for x in r["samples"][k]])
                           for k in first["samples"]}
    else:
        merged["times"] = {k: min(r["times"][k] for r in good) for k in first["times"]}
    if "peak_mb" in first:
        merged["peak_mb"] = min(r["peak_mb"] for r in good)
    if "checks" in first:
        merged["checks"] = {k: max(r["checks"][k] for r in good) for k in first["checks"]}
    return merged


def _split(out: dict[str, Any], benches: Sequence[str], impl: str) -> dict[str, dict[str, Any]]:
    """A child's results for ``impl``, by benchmark."""
    res = out if "error" in out else out[impl]
    if "samples" not in res:
        return {bench: res for bench in benches}
    return {bench: {**res, "checks": {bench: res["checks"][bench]} if res["checks"] else {},
                    "samples": {k: v for k, v in res["samples"].items() if _bench(k) == bench}}
            for bench in benches}


def _given_up(done: list[dict[str, Any]]) -> bool:
    return bool(done) and ("error" in done[0] or not done[0].get("available"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true",
                        help="a fast smoke run: small sizes and few repeats")
    parser.add_argument("--no-torch", action="store_true",
                        help="leave torch out, as if it were not installed")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="limit torch's and NumPy's BLAS thread pools to N threads "
                             "(default: each library's own default)")
    parser.add_argument("--child", nargs="+", choices=BENCHES, help=argparse.SUPPRESS)
    parser.add_argument("--impl", nargs="+", choices=IMPLS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL

    if args.child:
        if args.child == ["long"]:
            child_main(lambda: long_chain_child(args.impl[0], cfg, args.no_torch))
        else:
            child_main(lambda: turns_child(args.child, args.impl, cfg, args.no_torch))
        return 0

    flags = [*(["--quick"] if args.quick else []), *(["--no-torch"] if args.no_torch else [])]
    env = {} if args.threads is None else {var: str(args.threads) for var in THREAD_VARS}
    load = load_average()
    start = time.perf_counter()
    runs: dict[str, list[dict[str, Any]]] = {f"{b}:{i}": [] for b in BENCHES for i in IMPLS}
    shares: dict[str, list[float]] = {}
    for processes, n_rounds in ((PROCESSES, cfg.rounds), (LONG_PROCESSES, cfg.long_rounds)):
        for r in range(n_rounds):
            for benches, impls in processes:
                # after a first round that crashed or had no torch, no point in asking again
                todo = [i for i in impls if not _given_up(runs[f"{benches[0]}:{i}"])]
                if not todo:
                    continue
                label = f"{', '.join(ROW_OF[b] for b in benches)} ({', '.join(todo)})"
                print(f"[{time.perf_counter() - start:5.1f}s] measuring {label}, round "
                      f"{r + 1} of {n_rounds}", file=sys.stderr, flush=True)
                with OtherLoad() as other:
                    out = run_child(SCRIPT, ["--child", *benches, "--impl", *todo, *flags],
                                    env)
                if other.share is not None:
                    shares.setdefault(label, []).append(other.share)
                for impl in todo:
                    for bench, res in _split(out, benches, impl).items():
                        runs[f"{bench}:{impl}"].append(res)
    results = {key: combine(done, pool=not key.startswith("long:"))
               for key, done in runs.items() if done}
    text, failed = report(cfg, results, args.threads, load, shares)
    print(text)
    print(f"[{time.perf_counter() - start:5.1f}s] done", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
