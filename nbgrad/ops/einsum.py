"""``einsum``: products and sums written as index equations (``"ij,jk->ik"``).

It has no backward of its own: as torch does (aten's ``einsum`` and ``sumproduct_pair``), it
is taken apart into ops that have one (a diagonal for a repeated index, a permute to line the
dimensions up, unsqueezes for the ones an operand lacks, sums, a product or a ``bmm``, views),
so its graph shows the nodes torch's shows and second derivatives come for free. The steps
follow torch's in the same order, which is what makes the nodes (and the errors) the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad.ops._core import Node, Tensor, record, wrap_dim

__all__ = ["einsum"]

_ELLIPSIS = 52  # labels are 0-25 for A-Z and 26-51 for a-z, as in torch


def _subscript(c: str) -> int:
    return ord(c) - ord("A") if c.isupper() else 26 + ord(c) - ord("a")


def _label(s: int) -> str:
    return chr(ord("A") + s) if s < 26 else chr(ord("a") + s - 26)


def _letter(c: str) -> bool:
    return ("a" <= c <= "z") or ("A" <= c <= "Z")


# --- the diagonal of a repeated index ------------------------------------------------------


class DiagonalBackward0(Node):
    """The diagonal of two dimensions (last in the output): its gradient goes back onto the
    diagonal, zeros elsewhere."""

    __slots__ = ()

    def vjp(self, F, g, shape, dim1, dim2):
        n = g.shape[-1]
        index = [slice(None)] * len(shape)
        index[dim1] = index[dim2] = np.arange(n)
        # NumPy puts the indexed dimension where the two were if they are next to each other,
        # first otherwise: move the diagonal there
        at = dim1 if dim2 == dim1 + 1 else 0
        order = list(range(g.ndim - 1))
        order.insert(at, g.ndim - 1)
        return (F.index_put(shape, tuple(index), F.permute(g, tuple(order)), False),)


def diagonal(input: Tensor, dim1: int, dim2: int) -> Tensor:
    """The main diagonal of dimensions ``dim1`` and ``dim2``, as a last dimension."""
    x = input._data
    d1, d2 = sorted((wrap_dim(dim1, x.ndim), wrap_dim(dim2, x.ndim)))
    data = np.diagonal(x, 0, d1, d2).copy()
    return record(DiagonalBackward0, data, (input,), (x.shape, d1, d2))


# --- the equation --------------------------------------------------------------------------


def _parse_inputs(lhs: str, n_ops: int) -> list[list[int]]:
    labels: list[list[int]] = [[] for _ in range(n_ops)]
    op = 0
    ell = False
    i = 0
    while i < len(lhs):
        c = lhs[i]
        if c == " ":
            pass
        elif c == ".":
            if ell:
                raise RuntimeError(f"einsum(): found '.' for operand {op} for which an "
                                   "ellipsis was already found")
            if not (i + 2 < len(lhs) and lhs[i + 1] == "." and lhs[i + 2] == "."):
                raise RuntimeError(f"einsum(): found '.' for operand {op} that is not part of "
                                   "any ellipsis")
            i += 2
            labels[op].append(_ELLIPSIS)
            ell = True
        elif c == ",":
            op += 1
            if op >= n_ops:
                raise RuntimeError("einsum(): fewer operands were provided than specified in "
                                   "the equation")
            ell = False
        elif _letter(c):
            labels[op].append(_subscript(c))
        else:
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation "
                               "string, subscripts must be in [a-zA-Z]")
        i += 1
    if op != n_ops - 1:
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    return labels


def einsum(*args: Any) -> Tensor:
    """Einstein summation: ``einsum("ij,jk->ik", a, b)`` is ``a @ b``. Each operand's
    dimensions are named by letters; letters missing from the output (after ``->``, or, with
    no arrow, those seen once, in alphabetical order) are summed over; ``...`` stands for
    dimensions that broadcast."""
    if len(args) < 2 or not isinstance(args[0], str):
        if len(args) >= 2 and isinstance(args[0], Tensor):
            raise NotImplementedError("nbgrad.einsum: the sublist format is not supported; "
                                      "write the equation as a string")
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    equation, operands = args[0], list(args[1:])
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = list(operands[0])  # torch's older form: the operands as one list
    for t in operands:
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): argument 'tensors' (position 2) must be tuple of "
                            f"Tensors, not {type(t).__name__}")
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    return _einsum(equation, operands)


def _einsum(equation: str, operands: list[Tensor]) -> Tensor:
    from nbgrad.ops.building import movedim
    from nbgrad.ops.shape import permute, unsqueeze, view

    n_ops = len(operands)
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    op_labels = _parse_inputs(lhs, n_ops)

    count = [0] * 52
    ell_ndim = 0
    for i, (t, labels) in enumerate(zip(operands, op_labels)):
        n = len(labels)
        has_ell = _ELLIPSIS in labels
        if has_ell:
            n -= 1
            ell_ndim = max(ell_ndim, t.ndim - n)
        for s in labels:
            if s != _ELLIPSIS:
                count[s] += 1
        if has_ell and n > t.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({n}) is more than the "
                f"number of dimensions ({t.ndim}) for operand {i}")
        if not has_ell and n != t.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({n}) does not match the "
                f"number of dimensions ({t.ndim}) for operand {i} and no ellipsis was given")

    # Every operand is lined up as: output dimensions, then the dimensions summed over
    perm_index = [-1] * 52
    at = 0
    ell_index = 0
    ell_in_output = False
    if arrow < 0:  # implicit output: the ellipsis, then the labels seen once
        at = ell_ndim
        ell_in_output = True
        for s in range(52):
            if count[s] == 1:
                perm_index[s] = at
                at += 1
    else:
        rhs = equation[arrow + 2:]
        i = 0
        while i < len(rhs):
            c = rhs[i]
            if c == " ":
                pass
            elif c == ".":
                if ell_in_output:
                    raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) "
                                       "was already found")
                if not (i + 2 < len(rhs) and rhs[i + 1] == "." and rhs[i + 2] == "."):
                    raise RuntimeError("einsum(): found '.' for output that is not part of any "
                                       "ellipsis (...)")
                i += 2
                ell_index = at
                at += ell_ndim
                ell_in_output = True
            elif _letter(c):
                s = _subscript(c)
                if not (count[s] > 0 and perm_index[s] == -1):
                    why = ("appears more than once in the output" if perm_index[s] > -1 else
                           "does not appear in the equation for any input operand")
                    raise RuntimeError(f"einsum(): output subscript {c} {why}")
                perm_index[s] = at
                at += 1
            else:
                raise RuntimeError(f"einsum(): invalid subscript given at index "
                                   f"{len(lhs) + 2 + i} in the equation string, subscripts "
                                   "must be in [a-zA-Z]")
            i += 1
    out_ndim = at
    if not ell_in_output:
        ell_index = at
        at += ell_ndim
    for s in range(52):
        if count[s] > 0 and perm_index[s] == -1:
            perm_index[s] = at
            at += 1
    total = at

    # Check the sizes, take diagonals of repeated labels, add the missing dimensions and
    # permute; count, for each dimension, the operands in which it is not 1
    size = [1] * 52
    ell_sizes = [1] * ell_ndim
    dim_counts = [0] * total
    ops: list[Tensor] = []
    for i, (op, labels) in enumerate(zip(operands, op_labels)):
        perm = [-1] * total
        dim = 0
        for s in labels:
            if s == _ELLIPSIS:
                nd = operands[i].ndim - (len(labels) - 1)
                for j in range(ell_ndim - nd, ell_ndim):
                    if op.shape[dim] != 1:
                        if ell_sizes[j] != 1 and ell_sizes[j] != op.shape[dim]:
                            raise RuntimeError(
                                f"einsum(): dimension {j} covered by ellipsis in operand {i}"
                                f"has size {op.shape[dim]} which does not broadcast with "
                                f"previously seen ellipsis with size {ell_sizes[j]} for the "
                                "respective dimension")
                        ell_sizes[j] = op.shape[dim]
                        dim_counts[ell_index + j] += 1
                    perm[ell_index + j] = dim
                    dim += 1
            elif perm[perm_index[s]] == -1:
                if op.shape[dim] != 1:
                    if size[s] != 1 and size[s] != op.shape[dim]:
                        raise RuntimeError(
                            f"einsum(): subscript {_label(s)} has size {op.shape[dim]} for "
                            f"operand {i} which does not broadcast with previously seen size "
                            f"{size[s]}")
                    size[s] = op.shape[dim]
                    dim_counts[perm_index[s]] += 1
                perm[perm_index[s]] = dim
                dim += 1
            else:  # a repeated label: its diagonal, moved where the label first was
                prev = perm[perm_index[s]]
                if op.shape[dim] != op.shape[prev]:
                    raise RuntimeError(
                        f"einsum(): subscript {_label(s)} is repeated for operand {i} but the "
                        f"sizes don't match, {op.shape[dim]} != {op.shape[prev]}")
                op = movedim(diagonal(op, prev, dim), -1, prev)
        for k in range(total):
            if perm[k] == -1:
                op = unsqueeze(op, dim)
                perm[k] = dim
                dim += 1
        ops.append(permute(op, perm))

    # Contract the operands two at a time, left to right, summing each dimension as soon as no
    # operand still to come has it
    while len(ops) > 1:
        a, b = ops[0], ops[1]
        del ops[:2]
        sum_dims, a_sum, b_sum = [], [], []
        for d in range(out_ndim, total):
            if a.shape[d] != 1 and b.shape[d] != 1:
                dim_counts[d] -= 1
                if dim_counts[d] == 1:
                    sum_dims.append(d)
                    dim_counts[d] = 0
            elif dim_counts[d] == 1:
                if a.shape[d] != 1:
                    a_sum.append(d)
                    dim_counts[d] = 0
                elif b.shape[d] != 1:
                    b_sum.append(d)
                    dim_counts[d] = 0
        if a_sum:
            a = _sum(a, a_sum)
        if b_sum:
            b = _sum(b, b_sum)
        ops.insert(0, _sumproduct_pair(a, b, sum_dims))

    if total - out_ndim > 0:
        if n_ops > 1:  # the summed dimensions are all 1 by now
            return view(ops[0], tuple(ops[0].shape[:out_ndim]))
        from nbgrad.ops.reduce import sum as sum_

        return sum_(ops[0], tuple(range(out_ndim, total)))
    return ops[0]


def _sum(t: Tensor, dims: list[int]) -> Tensor:
    from nbgrad.ops.reduce import sum as sum_

    return sum_(t, tuple(dims), True)


def _sumproduct_pair(left: Tensor, right: Tensor, sum_dims: list[int]) -> Tensor:
    """torch's ``sumproduct_pair`` (with keepdim): ``(left * right)`` summed over
    ``sum_dims``, computed as one ``bmm`` of the operands permuted and reshaped to
    (batch, rows, summed) and (batch, summed, columns)."""
    from nbgrad.ops.pointwise import mul
    from nbgrad.ops.products import bmm
    from nbgrad.ops.shape import permute, reshape, view

    if not sum_dims:
        return mul(left, right)
    ndim = left.ndim
    summed = set(sum_dims)
    lro, lo, ro = [], [], []
    lro_size = lo_size = ro_size = sum_size = 1
    for i in range(ndim):
        sl, sr = left.shape[i] != 1, right.shape[i] != 1
        if i in summed:
            if sl and sr:
                if left.shape[i] != right.shape[i]:
                    raise RuntimeError("non-broadcast dimensions must match")
                sum_size *= left.shape[i]
            elif sl:
                left = _sum(left, [i])
            elif sr:
                right = _sum(right, [i])
        elif sl and sr:
            if left.shape[i] != right.shape[i]:
                raise RuntimeError("non-broadcast dimensions must match")
            lro.append(i)
            lro_size *= left.shape[i]
        elif sl:
            lo.append(i)
            lo_size *= left.shape[i]
        else:
            ro.append(i)
            ro_size *= right.shape[i]
    out_size = ([left.shape[d] for d in lro] + [left.shape[d] for d in lo] + [1] * len(sum_dims)
                + [right.shape[d] for d in ro])
    lperm = lro + lo + sum_dims + ro
    rperm = lro + sum_dims + ro + lo
    operm = [-1] * ndim
    for k, d in enumerate(lro + lo + sum_dims + ro):
        operm[d] = k
    left = reshape(permute(left, lperm), (lro_size, lo_size, sum_size))
    right = reshape(permute(right, rperm), (lro_size, sum_size, ro_size))
    result = bmm(left, right)
    return permute(view(result, tuple(out_size)), operm)

