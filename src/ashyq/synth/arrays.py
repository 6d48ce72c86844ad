"""Column-at-a-time building blocks of the synthetic datasets: exact apportionment, and
string, date and time columns built from NumPy arrays without a per-row Python loop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

__all__ = [
    "Bools",
    "Floats",
    "Ints",
    "apportion",
    "dates",
    "digits",
    "exact_labels",
    "fixed_width",
    "hex_digits",
    "numbered",
    "stamps",
    "taken",
]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]

_MICROSECONDS: Final = 1_000_000


def apportion(
    total: int, weights: Sequence[float] | Floats | Ints, caps: Ints | None = None
) -> Ints:
    """``total`` in whole parts proportional to ``weights`` (largest remainder, ties to the
    first), none above its cap; raises ValueError when the caps hold less than ``total``."""
    weight = np.asarray(weights, dtype=np.float64)
    cap = np.full(len(weight), total, np.int64) if caps is None else np.asarray(caps, np.int64)
    out = np.zeros(len(weight), np.int64)
    left = total
    active = (weight > 0) & (cap > 0)
    while left > 0:
        if not active.any():
            raise ValueError(f"cannot place {left} more in parts whose caps are full")
        share = np.where(active, weight, 0.0)
        quota = left * share / share.sum()
        base = np.floor(quota).astype(np.int64)
        fraction = np.where(active, quota - base, -1.0)
        order = np.argsort(-fraction, kind="stable")
        base[order[: left - int(base.sum())]] += 1
        taken = np.minimum(base, cap - out)
        out += taken
        left -= int(taken.sum())
        active &= cap - out > 0
    return out


def fixed_width(parts: Sequence[bytes | npt.NDArray[np.uint8]], rows: int) -> pa.Array:
    """A string array whose every value is the concatenation of ``parts``: constant bytes
    or ``rows`` × k matrices of characters, built from one buffer (no per-row Python)."""
    width = sum(len(p) if isinstance(p, bytes) else p.shape[1] for p in parts)
    matrix = np.empty((rows, width), np.uint8)
    at = 0
    for part in parts:
        if isinstance(part, bytes):
            matrix[:, at : at + len(part)] = np.frombuffer(part, np.uint8)
            at += len(part)
        else:
            matrix[:, at : at + part.shape[1]] = part
            at += part.shape[1]
    if rows * width >= 2**31:
        raise ValueError("too many characters for one string array")
    offsets = np.arange(rows + 1, dtype=np.int32) * np.int32(width)
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(matrix))


def digits(numbers: Ints, width: int) -> npt.NDArray[np.uint8]:
    """Each number as ``width`` zero-padded decimal digits (ASCII)."""
    out = np.empty((len(numbers), width), np.uint8)
    rest = numbers.copy()
    for column in range(width - 1, -1, -1):
        out[:, column] = rest % 10 + 48
        rest //= 10
    return out


def hex_digits(numbers: Ints, width: int) -> npt.NDArray[np.uint8]:
    """Each number as ``width`` lower-case hexadecimal digits (ASCII)."""
    table = np.frombuffer(b"0123456789abcdef", np.uint8)
    out = np.empty((len(numbers), width), np.uint8)
    for column in range(width):
        out[:, column] = table[(numbers >> (4 * (width - 1 - column))) & 15]
    return out


def numbered(prefix: str, numbers: Ints, width: int) -> pa.Array:
    """``prefix`` and each number in ``width`` digits: ``SVC0001``, ``MVD-2025-000000001``."""
    return fixed_width([prefix.encode(), digits(numbers, width)], len(numbers))


def taken(vocabulary: pa.Array, index: Ints) -> pa.Array:
    """``vocabulary[index]``, null where the index is negative."""
    return vocabulary.take(pa.array(index, pa.int64(), mask=index < 0))


def stamps(seconds: Ints, present: Bools | None = None) -> pa.Array:
    """Seconds since 1970 as timestamps (whole seconds, so text round trips are exact)."""
    values = (seconds * _MICROSECONDS).view("datetime64[us]")
    return pa.array(values, mask=None if present is None else ~present)


def dates(days: Ints, present: Bools | None = None) -> pa.Array:
    """Days since 1970 as dates."""
    return pa.array(days.astype(np.int32), pa.date32(), mask=None if present is None else ~present)


def exact_labels(rng: np.random.Generator, counts: Sequence[int]) -> Ints:
    """Label i repeated counts[i] times, in random order."""
    return rng.permutation(np.repeat(np.arange(len(counts), dtype=np.int64), counts))
