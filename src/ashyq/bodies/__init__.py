"""The registry of evaluated government bodies: codes, levels, names and aliases."""

from ashyq.bodies.registry import (
    Body,
    BodyRegistry,
    Level,
    UnknownBodyError,
    load_bodies,
    normalise_name,
)

__all__ = ["Body", "BodyRegistry", "Level", "UnknownBodyError", "load_bodies", "normalise_name"]
