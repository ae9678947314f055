"""The Tensor: a NumPy array plus what autograd needs to know about it.

Operations live in ``nbgrad.ops`` (one place per op, forward beside backward); the methods
and operators here only route to them, so ``x.sin()``, ``nbgrad.sin(x)`` and ``torch.sin(x)``
under ``import nbgrad as torch`` all mean the same thing. Writing into a tensor in place
(``add_``, ``x[i] = v``, ``+=``) has a module of its own, ``nbgrad._tensor_inplace``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from nbgrad import _device, _dtype
from nbgrad._size import Size
from nbgrad.autograd import api as _autograd_api  # loaded first: `import nbgrad` starts there
from nbgrad.autograd.graph import take_general_path, version_box

__all__ = ["Tensor"]

_BY_NUMPY = _dtype._BY_NUMPY
_NO_DIM: Any = object()  # a required dim not given: torch's parser names what is missing
_object_new = object.__new__
_new_size = tuple.__new__  # a NumPy shape needs none of Size()'s checks

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If "
    "you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. "
    "See github.com/pytorch/pytorch/pull/30531 for more information."
)
ONE_ELEMENT_ONLY = "only one element tensors can be converted to Python scalars"
DEEPCOPY_NON_LEAF = (
    "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol "
    "at the moment.  If you were attempting to deepcopy a module, this may be because of a "
    "nbgrad.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001"
)
SCALAR_OF_GRAD_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first."
)
_SCALAR_WARNED = False  # torch gives that warning once per process
ONLY_FLOAT_GRAD = "only Tensors of floating point dtype can require gradients"


def _wrap(data: Any, requires_grad: bool = False, grad_fn: Any = None) -> Tensor:
    """A Tensor around ``data`` (an ndarray or NumPy scalar), without copying or checks."""
    # record() in ops/_core.py inlines these lines on the hot path: keep the two in step.
    t = _object_new(Tensor)
    t._data = data
    t._requires_grad = requires_grad
    t.grad_fn = grad_fn
    t._grad = None
    t._vbox = None  # made when first needed: graph.version_box
    t._hooks = None
    t._acc = None
    t._base = None
    return t


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    Build one with ``nbgrad.tensor(...)``; its API follows ``torch.Tensor``.
    """

    __slots__ = (
        "_data", "_requires_grad", "grad_fn", "_grad", "_vbox", "_hooks", "_acc", "_base",
        "_views", "__weakref__",
    )
    __array_priority__ = 1000  # numpy scalars on the left defer to our operators

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("use nbgrad.tensor(data) to make a tensor")

    # -- what a tensor is --------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """The same numbers, detached from the graph (and from its version counter)."""
        return _wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        self._data = value._data

    @property
    def dtype(self) -> _dtype.dtype:
        return _BY_NUMPY[self._data.dtype]

    @property
    def shape(self) -> Size:
        return _new_size(Size, self._data.shape)

    def size(self, dim: int | None = None) -> Size | int:
        if dim is None:
            return _new_size(Size, self._data.shape)
        if not isinstance(dim, int) and not hasattr(dim, "__index__"):
            raise TypeError(f"size(): argument 'dim' (position 1) must be int, not "
                            f"{type(dim).__name__}")
        if not self._data.ndim:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        """Elements (not bytes, as NumPy counts) to step over to the next along each dim."""
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        return steps if dim is None else steps[_wrap_dim(dim, self._data.ndim)]

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    @property
    def device(self) -> _device.device:
        return _device.CPU

    @property
    def is_cpu(self) -> bool:
        return True

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def _version(self) -> int:
        """How many times this tensor's memory was written in place, as torch's ``_version``
        counts (views and detached tensors share the count)."""
        box = self._vbox
        return 0 if box is None else box[0]

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None and value:
            # torch refuses the attribute on a non-leaf even for True (requires_grad_(True) is
            # a no-op there)
            raise RuntimeError("you can only change requires_grad flags of leaf variables.")
        if self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and not self.dtype.is_floating_point:
            # the attribute's words; requires_grad_() says it without "and complex"
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError(ONLY_FLOAT_GRAD)
        if requires_grad and self.grad_fn is not None:
            return self  # already requires grad: a no-op, as in torch
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self) -> Tensor | None:
        # torch warns only while the gradient is missing (backward(inputs=[t]) fills it)
        if self._grad is None and self.grad_fn is not None and not self.retains_grad:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value.dtype is not self.dtype:  # torch checks the dtype first
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_CPP_NAMES[value.dtype.name]}' "
                    f"to a tensor with grad_dtype '{_dtype._legacy_type_name(self.dtype)[:-6]}'. "
                    "The gradient must match the tensor's grad_dtype (defaults to the tensor's "
                    "dtype). You can set the tensor's grad_dtype attribute with a specific dtype, "
                    "or None to allow any dtype. Set grad_dtype with caution. Diverging the "
                    "dtypes of a tensor and its gradient may break downstream systems that "
                    "assume they match."
                )
            if value.shape != self.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor "
                    f"of size '{list(self.shape)}'. Please ensure that the gradient and the "
                    "tensor are the same size"
                )
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        fn = self.grad_fn
        return fn is not None and fn._retained is not None and fn._retained() is self

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` during backward."""
        import weakref

        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retained = weakref.ref(self)
            take_general_path(self.grad_fn)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a
        replacement. Returns a handle whose ``remove()`` unregisters the hook."""
        from nbgrad.autograd.graph import RemovableHandle

        if not self._requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient"
            )
        if self.grad_fn is not None:
            if self.grad_fn._pre_hooks is None:
                self.grad_fn._pre_hooks = []
                take_general_path(self.grad_fn)
            hooks = self.grad_fn._pre_hooks
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    # -- leaving the graph ----------------------------------------------------------------
    def detach(self) -> Tensor:
        """The same numbers (shared memory and version counter), cut off from the graph."""
        t = _wrap(self._storage())
        t._vbox = version_box(self)
        return t

    def detach_(self) -> Tensor:
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the Optimizer."
                "zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self.grad_fn = None
        self._requires_grad = False
        return self

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        # a new array object each call, sharing this tensor's memory (as torch's numpy()):
        # writing through either is seen by the other, but ``a is b`` is False
        return self._storage().view()

    def storage_offset(self) -> int:
        """Where this tensor's first element sits in the memory it shares with the tensor
        it is a view of, counted in elements (0 for a tensor that owns its memory)."""
        base = self._base
        if base is None:
            return 0
        start = self._storage().__array_interface__["data"][0]
        return (start - base._storage().__array_interface__["data"][0]) // self._data.itemsize

    def item(self) -> float | int | bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item() if self._data.ndim else self._data.item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def _storage(self) -> np.ndarray:
        """The array, made a real ndarray (not a NumPy scalar) so that it can be shared."""
        data = self._data
        if not isinstance(data, np.ndarray):
            data = self._data = np.asarray(data)
        return data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if self._requires_grad:  # np.array(t) calls t.numpy() in torch, with its refusal
            self.numpy()
        arr = np.asarray(self._data)
        return arr if dtype is None else arr.astype(dtype)

    def __array_wrap__(self, array: Any, context: Any = None, return_scalar: bool = False
                       ) -> Tensor:
        """What a NumPy function applied to a tensor gives back: a tensor sharing the
        result's memory (``np.sin(t)``), as torch's ``from_numpy`` makes it; a bool result
        becomes uint8, as in torch (its ``__array_wrap__`` predates bool tensors)."""
        array = np.asarray(array)
        if array.dtype == np.bool_:
            array = array.astype(np.uint8)
        _dtype.from_numpy_dtype(array.dtype)  # torch's error for a dtype it has not
        return _wrap(array)

    # -- printing --------------------------------------------------------------------------
    def __repr__(self) -> str:
        from nbgrad._printing import format_tensor

        fn = self.grad_fn
        return format_tensor(
            self._data,
            self.dtype,
            requires_grad=self._requires_grad and fn is None,
            grad_fn=type(fn).__name__ if fn is not None else None,  # as torch: not name()
        )

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    # -- Python protocol ------------------------------------------------------------------
    __hash__ = object.__hash__

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
                if self._data.size > 1
                else "Boolean value of Tensor with no values is ambiguous"
            )
        return bool(self._data)

    def __float__(self) -> float:
        global _SCALAR_WARNED
        if not _SCALAR_WARNED and self.requires_grad:  # TORCH_WARN_ONCE, as in torch
            _SCALAR_WARNED = True
            warnings.warn(SCALAR_OF_GRAD_WARNING, UserWarning, stacklevel=2)
        if self._data.size != 1:
            raise ValueError(ONE_ELEMENT_ONLY)
        return float(self.item())

    def __int__(self) -> int:
        if self._data.size != 1:
            raise ValueError(ONE_ELEMENT_ONLY)
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __contains__(self, item: Any) -> bool:
        if not isinstance(item, (Tensor, bool, int, float, complex, np.generic)):
            raise RuntimeError(
                f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                f"{type(item)}."
            )
        return bool((self._data == (item._data if isinstance(item, Tensor) else item)).any())

    def __reduce_ex__(self, protocol: int) -> Any:
        return (_rebuild, (np.asarray(self._data), self._requires_grad))

    def __deepcopy__(self, memo: dict) -> Tensor:
        """A copy in memory of its own, with a copy of ``.grad``, as torch's; like torch, only
        for a leaf (a copied graph would have no meaning)."""
        if self.grad_fn is not None:
            raise RuntimeError(DEEPCOPY_NON_LEAF)
        rebuild, (data, requires_grad) = self.__reduce_ex__(2)
        new = rebuild(np.array(data, copy=True), requires_grad)  # a Parameter stays one
        memo[id(self)] = new
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        return new

    # -- autograd -------------------------------------------------------------------------
    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Compute the gradient of this tensor with respect to the leaves of its graph and
        add it into their ``.grad``."""
        _autograd_api.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # -- conversions ----------------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        dtype = kwargs.get("dtype")
        for a in args:
            if isinstance(a, _dtype.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            elif a in _PYTHON_TYPES:  # x.to(float), as torch reads a Python type
                dtype = _PYTHON_TYPES[a]
            elif isinstance(a, (str, _device.device)):
                _device.check_device(a)
        if "device" in kwargs:
            _device.check_device(kwargs["device"])
        if dtype is not None and not isinstance(dtype, _dtype.dtype):
            dtype = _PYTHON_TYPES.get(dtype, dtype)
            if not isinstance(dtype, _dtype.dtype):
                raise TypeError(_to_signature_error(f"dtype={type(dtype).__name__}, "))
        if dtype is None or dtype is self.dtype:
            # copy=True asks for a new tensor even when nothing changes
            return to_dtype(self, self.dtype) if kwargs.get("copy") else self
        return to_dtype(self, dtype)

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return f"nbgrad.{_dtype._legacy_type_name(self.dtype)}"
        if isinstance(dtype, str):
            # a lesson written for torch says "torch.DoubleTensor": both spellings are read
            module, _, name = dtype.rpartition(".")
            found = _LEGACY_DTYPES.get(name) if module in ("torch", "nbgrad") else None
            if found is None:
                raise ValueError(f"invalid type: {dtype!r}")
            dtype = found
        return self.to(dtype)

    def float(self) -> Tensor:
        return self.to(_dtype.float32)

    def double(self) -> Tensor:
        return self.to(_dtype.float64)

    def long(self) -> Tensor:
        return self.to(_dtype.int64)

    def int(self) -> Tensor:
        return self.to(_dtype.int32)

    def bool(self) -> Tensor:
        return self.to(_dtype.bool)

    def half(self) -> Tensor:
        return self.to(_dtype.float16)

    def short(self) -> Tensor:
        return self.to(_dtype.int16)

    def char(self) -> Tensor:
        return self.to(_dtype.int8)

    def byte(self) -> Tensor:
        return self.to(_dtype.uint8)

    def cpu(self) -> Tensor:
        """This tensor: nbgrad's tensors are on the CPU (``x.detach().cpu().numpy()``)."""
        return self

    def cuda(self, device: Any = None) -> Tensor:
        _device.check_device("cuda")  # a CPU-only torch's error
        return self  # pragma: no cover - check_device raised

    def element_size(self) -> int:
        return self._data.dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.size * self._data.dtype.itemsize

    def is_complex(self) -> bool:
        return False  # nbgrad has no complex dtypes

    def clone(self) -> Tensor:
        return clone(self)

    def contiguous(self) -> Tensor:
        if self.is_contiguous():
            return self
        # a C-ordered copy, recorded as torch records it (clone keeps the strides: not enough)
        from nbgrad.ops._core import record
        from nbgrad.ops.pointwise import CloneBackward0

        return record(CloneBackward0, np.ascontiguousarray(self._data), (self,))

    def is_contiguous(self) -> bool:
        return bool(np.asarray(self._data).flags.c_contiguous)

    # -- operators --------------------------------------------------------------------------
    def __rsub__(self, other: Any) -> Tensor:
        return rsub(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return mul(reciprocal(self), other)

    def __rpow__(self, base: Any) -> Tensor:
        return pow(base, self)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(other, self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return abs(self)

    def __getitem__(self, index: Any) -> Tensor:
        return getitem(self, index)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return compare(np.equal, self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return compare(np.not_equal, self, other)

    def __lt__(self, other: Any) -> Tensor:
        return compare(np.less, self, other)

    def __le__(self, other: Any) -> Tensor:
        return compare(np.less_equal, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return compare(np.greater, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return compare(np.greater_equal, self, other)

    def __and__(self, other: Any) -> Tensor:
        return bitwise(np.bitwise_and, "bitwise_and", self, other)

    def __or__(self, other: Any) -> Tensor:
        return bitwise(np.bitwise_or, "bitwise_or", self, other)

    def __xor__(self, other: Any) -> Tensor:
        return bitwise(np.bitwise_xor, "bitwise_xor", self, other)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> Tensor:
        if self._data.dtype.kind == "f":
            raise TypeError(
                "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
            )
        return _wrap(np.invert(self._data))

    def logical_not(self) -> Tensor:
        return logical_not(self)

    def any(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        try:
            return _wrap(np.asarray(np.any(self._data, axis=dim, keepdims=keepdim)))
        except np.exceptions.AxisError:
            _wrap_dim(dim, self._data.ndim)  # raises torch's IndexError
            raise

    def all(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        try:
            return _wrap(np.asarray(np.all(self._data, axis=dim, keepdims=keepdim)))
        except np.exceptions.AxisError:
            _wrap_dim(dim, self._data.ndim)
            raise

    eq = __eq__
    ne = __ne__
    lt = __lt__
    le = __le__
    gt = __gt__
    ge = __ge__

    # -- methods that mirror the functions in nbgrad.ops ------------------------------------
    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return add(self, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return sub(self, other, alpha=alpha)

    def mul(self, other: Any) -> Tensor:
        return mul(self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return div(self, other, rounding_mode=rounding_mode)

    def pow(self, exponent: Any) -> Tensor:
        return pow(self, exponent)

    def neg(self) -> Tensor:
        return neg(self)

    def reciprocal(self) -> Tensor:
        return reciprocal(self)

    def abs(self) -> Tensor:
        return abs(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return clamp(self, min, max)

    clip = clamp

    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return mean(self, dim, keepdim, dtype=dtype)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        return max(self, dim, keepdim)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return amin(self, dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return min(self, dim, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return argmax(self, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return argmin(self, dim, keepdim)

    def softmax(self, dim: int) -> Tensor:
        return softmax(self, dim)

    def log_softmax(self, dim: int) -> Tensor:
        return log_softmax(self, dim)

    def matmul(self, other: Tensor) -> Tensor:
        return matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        return mm(self, other)

    def mv(self, other: Tensor) -> Tensor:
        return mv(self, other)

    def dot(self, other: Tensor) -> Tensor:
        return dot(self, other)

    def reshape(self, *shape: Any) -> Tensor:
        return reshape(self, _sizes("reshape", "shape", shape))

    def view(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
            raise NotImplementedError("nbgrad does not reinterpret memory as another dtype")
        return view(self, _sizes("view", "size", shape))

    def view_as(self, other: Tensor) -> Tensor:
        return view(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return reshape(self, other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return flatten(self, start_dim, end_dim)

    def unsqueeze(self, dim: int = _NO_DIM) -> Tensor:
        if dim.__class__ is not int:  # torch counts the method's arguments without self
            check_int_dim("unsqueeze", dim, 1)
        return unsqueeze(self, dim)

    def squeeze(self, dim: Any = None) -> Tensor:
        return squeeze(self, dim)

    def expand(self, *sizes: Any) -> Tensor:
        return expand(self, _sizes("expand", "size", sizes))

    def expand_as(self, other: Tensor) -> Tensor:
        return expand(self, other.shape)

    def sum_to_size(self, *size: Any) -> Tensor:
        return sum_to_size(self, _sizes("sum_to_size", "size", size))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return transpose(self, dim0, dim1)

    def permute(self, *dims: Any) -> Tensor:
        return permute(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int)
                       else dims)

    def t(self) -> Tensor:
        return t(self)

    @property
    def T(self) -> Tensor:  # noqa: N802 - torch's name
        return T(self)

    @property
    def mT(self) -> Tensor:  # noqa: N802 - torch's name
        return mT(self)

    @property
    def mH(self) -> Tensor:  # noqa: N802 - torch's name
        return mT(self, "mH")

    @property
    def H(self) -> Tensor:  # noqa: N802 - torch's name
        return H(self)

    def where(self, condition: Any, other: Any) -> Tensor:
        return where(condition, self, other)


def _rebuild(data: np.ndarray, requires_grad: bool) -> Tensor:
    return _wrap(data, requires_grad)


def _wrap_dim(dim: int, ndim: int) -> int:
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not lo <= dim <= hi:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
        )
    return dim % ndim if ndim else 0


# The ops import Tensor, so they are bound here, after the class exists. Names are looked up
# when a method runs, never at import.
from nbgrad._method_args import (  # noqa: E402 - it needs Tensor, defined above
    _CPP_NAMES,
    _LEGACY_DTYPES,
    _PYTHON_TYPES,
    _sizes,
    _to_signature_error,
)
from nbgrad.ops import (  # noqa: E402
    H,
    T,
    abs,
    add,
    amax,
    amin,
    argmax,
    argmin,
    bitwise,
    ceil,
    clamp,
    clone,
    compare,
    cos,
    div,
    dot,
    exp,
    exp2,
    expand,
    expm1,
    flatten,
    floor,
    frac,
    getitem,
    isfinite,
    isinf,
    isnan,
    log,
    log1p,
    log2,
    log10,
    log_softmax,
    logical_not,
    matmul,
    max,
    mean,
    min,
    mm,
    mT,
    mul,
    mv,
    neg,
    permute,
    pow,
    reciprocal,
    relu,
    reshape,
    round,
    rsub,
    sigmoid,
    sin,
    softmax,
    sqrt,
    square,
    squeeze,
    sub,
    sum,
    sum_to_size,
    t,
    tan,
    tanh,
    to_dtype,
    transpose,
    trunc,
    unsqueeze,
    view,
    where,
)

# The operators and methods used most call their op directly, with no method in between: one
# Python call fewer per op, on the path every graph is built through. (Each op takes the
# tensor first, as a method's ``self``.)
Tensor.__add__ = Tensor.__radd__ = add
Tensor.__sub__ = sub
Tensor.__mul__ = Tensor.__rmul__ = mul
Tensor.__truediv__ = div
Tensor.__pow__ = pow
Tensor.__matmul__ = matmul
Tensor.__neg__ = neg

# Rounding division and remainders: ``//``, ``%`` (ops/division.py).
from nbgrad.ops.division import floor_divide, fmod, remainder  # noqa: E402
from nbgrad.ops.shape import check_int_dim  # noqa: E402

_OPERANDS = (Tensor, bool, int, float, np.generic)


def _operator(op: Callable, reflected: bool = False) -> Callable:
    """An operator that, like torch's, leaves an operand it cannot take to Python (which
    then raises its own ``unsupported operand type(s)`` error)."""
    def method(self: Tensor, other: Any) -> Any:
        if not isinstance(other, _OPERANDS):
            return NotImplemented
        return op(other, self) if reflected else op(self, other)

    method.__name__ = method.__qualname__ = f"__{'r' if reflected else ''}{op.__name__}__"
    return method


Tensor.__floordiv__, Tensor.__rfloordiv__ = _operator(floor_divide), _operator(floor_divide, True)
Tensor.__mod__, Tensor.__rmod__ = _operator(remainder), _operator(remainder, True)
Tensor.floor_divide, Tensor.remainder, Tensor.fmod = floor_divide, remainder, fmod
Tensor.sin, Tensor.cos, Tensor.tan = sin, cos, tan
Tensor.exp, Tensor.log, Tensor.sqrt = exp, log, sqrt
Tensor.tanh, Tensor.sigmoid, Tensor.relu, Tensor.square = tanh, sigmoid, relu, square
Tensor.ceil = ceil
Tensor.exp2 = exp2
Tensor.expm1 = expm1
Tensor.floor = floor
Tensor.frac = frac
Tensor.isfinite = isfinite
Tensor.isinf = isinf
Tensor.isnan = isnan
Tensor.log1p = log1p
Tensor.log2 = log2
Tensor.log10 = log10
Tensor.round = round
Tensor.trunc = trunc




# The in-place methods (add_, copy_, fill_, x[i] = v, +=, exp_...) and the methods of the
# later op families (comparisons, statistics, indexing, sorting, pieces, new tensors) are
# attached in modules of their own.
from nbgrad import _tensor_inplace, _tensor_methods  # noqa: E402, F401
