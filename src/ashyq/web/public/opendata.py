"""Published results as open data: CSV, XLSX and JSON tables and a Frictionless Data Package.

Every table is generated from a published snapshot only, so a download is as immutable as
the version it names; ``datapackage.json`` lists every table of every version with its
Table Schema.
"""

from __future__ import annotations

from typing import Any

from ashyq.bodies import BodyRegistry
from ashyq.index.methodology import Methodology
from ashyq.results.model import ResultsDocument
from ashyq.results.render import Results
from ashyq.results.table import TABLES

__all__ = ["data_package"]


def data_package(
    published: list[tuple[int, int, str, dict[str, Any]]],
    methodologies: dict[int, Methodology],
    registry: BodyRegistry,
) -> dict[str, Any]:
    """``datapackage.json``: one CSV resource per table of every published version.

    ``published`` holds (period, version, sha256, document). Each table's path is relative
    to the descriptor (``/open-data/datapackage.json``), as the Data Package standard
    reads it: never built from the request, whose Host header the sender chooses.
    """
    resources = []
    for period, version, sha256, payload in published:
        results = Results(
            ResultsDocument.from_payload(payload), methodologies[period], registry, "en"
        )
        for name, build in TABLES.items():
            table = build(results)
            resources.append(
                {
                    "name": f"{name}-{period}-v{version}",
                    "path": f"{period}/v{version}/{name}.csv",
                    "profile": "tabular-data-resource",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "description": f"{name} of the {period} Openness Index, version {version} "
                    f"(snapshot sha256 {sha256})",
                    "schema": table.schema(),
                }
            )
    return {
        "profile": "tabular-data-package",
        "name": "ashyq-openness-index",
        "title": "Openness Index of Kazakhstan's government bodies",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": resources,
    }
