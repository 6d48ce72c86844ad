"""The package's public names: ``ashyq.__all__`` is exactly what ``import ashyq`` offers."""

from __future__ import annotations

import importlib.metadata
import types

import ashyq

# Dunder names that are part of the public API all the same.
PUBLIC_DUNDERS = {"__version__"}


def public_attributes() -> set[str]:
    return {
        name
        for name, value in vars(ashyq).items()
        if (not name.startswith("_") or name in PUBLIC_DUNDERS)
        and not isinstance(value, types.ModuleType)
    }


def test_all_lists_exactly_the_public_names() -> None:
    assert sorted(ashyq.__all__) == sorted(public_attributes())


def test_every_name_in_all_is_importable() -> None:
    missing = [name for name in ashyq.__all__ if not hasattr(ashyq, name)]
    assert missing == []


def test_all_has_no_duplicates_and_is_sorted() -> None:
    assert len(ashyq.__all__) == len(set(ashyq.__all__))
    assert ashyq.__all__ == sorted(ashyq.__all__)


def test_the_documented_entry_points_are_public() -> None:
    # What a Python user needs to load a methodology, read an input and compute the index.
    for name in ("load_methodology", "load_bodies", "read_index_input", "compute_index"):
        assert name in ashyq.__all__
        assert callable(getattr(ashyq, name))
    for name in ("InputError", "InputProblem", "IndexResult", "BodyResult", "BodyInput"):
        assert isinstance(getattr(ashyq, name), type)
    assert issubclass(ashyq.InputError, ValueError)


def test_version_matches_the_installed_distribution() -> None:
    assert ashyq.__version__ == importlib.metadata.version("ashyq")
