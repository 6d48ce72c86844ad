"""The compendium of typical violations in public services (seed 002), built from the data.

The chapters follow seed 002: an introduction, the general figures of the year (as seed 000
reports them: deliveries, violations by stage, type and level, control measures, restored
rights, sanctions, protocols and fines, orders to remedy), a chapter per stage of delivery
with a section per violation type of the catalogue, and conclusions. Every figure comes
from :func:`ashyq.services.stats.service_stats`, the violation registry
(:func:`ashyq.services.detect.detect`) and the stored control records; every sentence is a
frame of ``compendium.yaml`` with its counts spelled by :func:`ashyq.i18n.grammar.quantity`.

:func:`collect_compendium` reads all of it once, in no language; :func:`build_compendium`
words it in one language, so ru, kk and en cost one pass over the records.

Typical cases are picked by a fixed rule (the bodies with the most violations of the type
first, then the lowest delivery number) and anonymised: identifiers of recipients and
employees, and document numbers, never reach the text (see :func:`.records.public_evidence`).
"""

from ashyq.reports.compendium.chapters import build_compendium
from ashyq.reports.compendium.records import CASES_PER_TYPE, CompendiumData, collect_compendium
from ashyq.reports.compendium.texts import (
    CompendiumTexts,
    StageTexts,
    load_compendium_texts,
    type_count_sentence,
)

__all__ = [
    "CASES_PER_TYPE",
    "CompendiumData",
    "CompendiumTexts",
    "StageTexts",
    "build_compendium",
    "collect_compendium",
    "load_compendium_texts",
    "type_count_sentence",
]
