"""nbgrad.save / nbgrad.load: .npz archives that round-trip state dicts and checkpoints and
never execute anything when loaded."""

from __future__ import annotations

import io
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import nbgrad
from nbgrad import nn, optim


def _model() -> nn.Module:
    return nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))


def test_state_dict_round_trip(tmp_path) -> None:
    model = _model()
    path = tmp_path / "model.pt"  # any name: nothing is appended to it
    nbgrad.save(model.state_dict(), path)
    assert path.exists() and not (tmp_path / "model.pt.npz").exists()
    loaded = nbgrad.load(path)
    assert isinstance(loaded, OrderedDict)
    assert list(loaded) == list(model.state_dict())
    fresh = _model()
    fresh.load_state_dict(loaded)
    x = nbgrad.randn(5, 2)
    assert model(x).tolist() == fresh(x).tolist()


def test_dtypes_values_and_flags_survive(tmp_path) -> None:
    obj = {
        "f32": nbgrad.tensor([1.5, -2.0]),
        "f64": nbgrad.tensor([[1.0]], dtype=nbgrad.float64),
        "i64": nbgrad.tensor([1, 2, 3]),
        "bool": nbgrad.tensor([True, False]),
        "scalar": nbgrad.tensor(3.0),
        "leaf": nbgrad.ones(2, requires_grad=True),
        "param": nn.Parameter(nbgrad.zeros(2)),
    }
    nbgrad.save(obj, tmp_path / "t.npz")
    back = nbgrad.load(tmp_path / "t.npz")
    assert type(back) is dict and list(back) == list(obj)
    for k, v in obj.items():
        assert back[k].dtype is v.dtype and back[k].shape == v.shape
        assert back[k].tolist() == v.tolist()
        assert back[k].requires_grad == v.requires_grad
    assert isinstance(back["param"], nn.Parameter)
    assert not isinstance(back["leaf"], nn.Parameter)


def test_checkpoint_with_optimizer_and_numbers(tmp_path) -> None:
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    x, y = nbgrad.randn(4, 2), nbgrad.tensor([0, 1, 2, 0])
    nn.CrossEntropyLoss()(model(x), y).backward()
    opt.step()
    checkpoint = {"epoch": 3, "loss": 0.25, "name": "mlp", "best": None, "nan": float("nan"),
                  "history": [1.0, 0.5], "shape": (2, 3), "model": model.state_dict(),
                  "optim": opt.state_dict()}
    buf = io.BytesIO()
    nbgrad.save(checkpoint, buf)
    buf.seek(0)
    back = nbgrad.load(buf)
    assert back["epoch"] == 3 and back["loss"] == 0.25 and back["name"] == "mlp"
    assert back["best"] is None and np.isnan(back["nan"])
    assert back["history"] == [1.0, 0.5] and back["shape"] == (2, 3)
    assert list(back["optim"]["state"]) == [0, 1, 2, 3]  # int keys stay ints
    assert back["optim"]["param_groups"][0]["betas"] == (0.9, 0.999)
    opt2 = optim.Adam(_model().parameters())
    opt2.load_state_dict(back["optim"])
    assert opt2.param_groups[0]["lr"] == 0.01
    state = opt2.state[opt2.param_groups[0]["params"][0]]
    assert state["exp_avg"].tolist() == opt.state[next(model.parameters())]["exp_avg"].tolist()


def test_loading_never_unpickles(tmp_path) -> None:
    """An archive holding a pickled object array is refused, not executed."""
    path = tmp_path / "evil.npz"
    np.savez(path, evil=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        nbgrad.load(path)


def test_only_json_and_arrays_are_written(tmp_path) -> None:
    path = tmp_path / "m.npz"
    nbgrad.save(_model().state_dict(), path)
    with zipfile.ZipFile(path) as z:
        names = sorted(z.namelist())
    assert names[0] == "__nbgrad_layout__.npy"
    with np.load(path, allow_pickle=False) as archive:
        assert all(archive[k].dtype != object for k in archive.files)


def test_plain_numpy_archive_loads_as_tensors(tmp_path) -> None:
    path = tmp_path / "plain.npz"
    np.savez(path, weight=np.ones((2, 2), np.float32), bias=np.zeros(2, np.float32))
    back = nbgrad.load(path)
    assert list(back) == ["weight", "bias"]
    assert back["weight"].dtype is nbgrad.float32


def test_unsupported_objects_are_refused(tmp_path) -> None:
    with pytest.raises(TypeError, match="save a model's state_dict"):
        nbgrad.save(_model(), tmp_path / "m.npz")
