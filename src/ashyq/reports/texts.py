"""The texts the report builders read from the package's YAML files, parsed once each."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["openness_texts"]


@cache
def openness_texts() -> dict[str, Any]:
    """``openness.yaml``: the annual report's frames, labels, fact phrasings and
    recommendations."""
    text = resources.files("ashyq.reports").joinpath("openness.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.load(text, Loader=yaml.CSafeLoader)
    return data
