"""``nbgrad.device`` and ``Tensor.device``: printed, compared and refused as torch 2.13 does
(a CPU-only torch: asking for CUDA fails in its words)."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

import nbgrad

torch = pytest.importorskip("torch")

EXPRESSIONS = {
    "x.device": "T.ones(2).device",
    "str": "str(T.ones(2).device)",
    "format": "f'{T.ones(2).device}'",
    "equal devices": "T.ones(2).device == T.device('cpu')",
    "never a string": "T.ones(2).device == 'cpu'",
    "cuda with index": "(T.device('cuda:1'), str(T.device('cuda:1')), T.device('cuda', 0).index)",
    "cpu with index": "T.device('cpu', 0)",
    "type and index": "(T.device('cpu').type, T.device('cpu').index)",
    "from a device": "T.device(T.device('cpu'))",
    "unknown type": "T.device('gpu')",
    "an int": "T.device(1)",
    "a float": "T.device(1.5)",
    "read only": "setattr(T.device('cpu'), 'type', 'cuda')",
    "hashable": "len({T.device('cpu'), T.ones(1).device})",
    "pickled": "pickle.loads(pickle.dumps(T.device('cuda:2')))",
    "is_cpu": "(T.ones(2).is_cpu, T.ones(2).is_cuda)",
    "to a device": "T.ones(2).to(T.device('cpu'))",
    "to cuda": "T.ones(2).to(T.device('cuda'))",
    "to device=": "T.ones(2).to(device='cuda')",
    "zeros on cuda": "T.zeros(2, device='cuda')",
    "tensor on cpu": "T.tensor([1.0], device=T.device('cpu'))",
    "tensor on cuda": "T.tensor([1.0], device='cuda')",
    "ones_like on cuda": "T.ones_like(T.ones(2), device='cuda:0')",
    "cpu()": "T.ones(2).cpu()",
    "cuda()": "T.ones(2).cuda()",
}


def _outcome(lib: Any, expr: str) -> str:
    try:
        result = eval(expr, {"T": lib, "pickle": pickle})  # noqa: S307 - our own table
    except Exception as e:  # noqa: BLE001 - comparing whatever is raised
        return f"{type(e).__name__}: {e}".replace("torch.", "nbgrad.")
    return "ok " + repr(result).replace("torch.", "nbgrad.")


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_device_like_torch(name: str) -> None:
    expr = EXPRESSIONS[name]
    assert _outcome(nbgrad, expr) == _outcome(torch, expr)
