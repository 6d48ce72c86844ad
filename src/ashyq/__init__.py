"""Ashyq — measures how well Kazakhstan's government bodies serve citizens, and publishes it."""

from ashyq.bodies import Body, BodyRegistry, Level, load_bodies
from ashyq.errors import InputError, InputProblem
from ashyq.index.engine import BodyInput, BodyResult, IndexResult, compute_index
from ashyq.index.inputs import read_index_input
from ashyq.index.methodology import Methodology, load_methodology

__version__ = "0.1.0"

__all__ = [
    "Body",
    "BodyInput",
    "BodyRegistry",
    "BodyResult",
    "IndexResult",
    "InputError",
    "InputProblem",
    "Level",
    "Methodology",
    "__version__",
    "compute_index",
    "load_bodies",
    "load_methodology",
    "read_index_input",
]
