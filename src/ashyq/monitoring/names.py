"""What the codes of the public monitoring are called in each language: bodies, services,
regions, channels and scale bands, for every table, report and page that shows them."""

from __future__ import annotations

from collections.abc import Callable

from ashyq.channels import CHANNELS
from ashyq.i18n import N_, Lang, translate
from ashyq.monitoring.bodies import load_monitored_bodies, region_choices
from ashyq.monitoring.published import load_published_monitoring
from ashyq.monitoring.stats import scale_bands

__all__ = ["band_names", "group_names"]

_SERVICE_OF = N_("{body}, service {number}")


def band_names(lang: Lang) -> dict[str, str]:
    """The name of each scale band (``very_high``…) in ``lang``."""
    return {band.id: band.name[lang] for band in scale_bands()}


def group_names(by: str, lang: Lang) -> Callable[[str], str]:
    """How a code of the grouping ``by`` (body, service, region, channel) reads in ``lang``.

    Bodies by their short names; services as seed 001 prints them (in Russian), the others
    by their body and number (``mvd_03``: "Ministry of Internal Affairs, service 03");
    regions and channels by their names. An unknown code reads as itself.
    """
    bodies = {body.code: body.short(lang) for body in load_monitored_bodies()}
    if by == "body":
        names = bodies
    elif by == "service":
        names = {s.code: s.name for s in load_published_monitoring().services}
    else:
        choices = region_choices() if by == "region" else CHANNELS
        names = {choice.code: str(getattr(choice, lang)) for choice in choices}

    def name(code: str) -> str:
        if code in names:
            return names[code]
        body, _, position = code.rpartition("_")
        if by == "service" and body in bodies and position.isdigit():
            return translate(_SERVICE_OF, lang, body=bodies[body], number=position)
        return code

    return name
