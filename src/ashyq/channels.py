"""The channels through which public services are delivered: the State Corporation
(«Government for Citizens»), the e-gov portal and the provider itself.

One vocabulary, with its names and spellings in ru/kk/en, shared by the registry of
services (``ashyq.services.model``) and the answers of public monitoring
(``ashyq.monitoring``), which rate a service by the channel it was received through.
"""

from __future__ import annotations

from typing import Final

from ashyq.records.model import Choice

__all__ = ["CHANNELS"]

CHANNELS: Final = (
    Choice(
        "state_corp",
        "Госкорпорация",
        "Мемкорпорация",
        "State Corporation",
        ("цон", "хқко", "гк", "правительство для граждан", "азаматтарға арналған үкімет"),
    ),
    Choice(
        "egov",
        "портал «электронного правительства»",
        "egov порталы",
        "e-gov portal",
        ("egov.kz", "портал", "епортал"),
    ),
    Choice("provider", "услугодатель", "қызмет беруші", "provider", ("непосредственно",)),
)
