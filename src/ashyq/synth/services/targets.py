"""The published figures a synthetic year of public services reproduces, and the choices
of its make-up where the figures are silent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final, Literal

import numpy as np

from ashyq.bodies import Level
from ashyq.calendar import WorkingCalendar
from ashyq.index.national import period_statistics
from ashyq.services.catalogue import Category, load_catalogue
from ashyq.synth.arrays import (
    Ints,
    apportion,
)

__all__ = [
    "CHUNK_ROWS",
    "LAYOUTS",
    "TARGETS_2025",
    "Layout",
    "ServiceTargets",
]


# Where the files go: a data home's store; one import file per kind; or the same with the
# deliveries in one file per month.
Layout = Literal["store", "import", "monthly"]
LAYOUTS: Final[tuple[Layout, ...]] = ("store", "import", "monthly")


@dataclass(frozen=True)
class ServiceTargets:
    """The published figures a synthetic year of public services reproduces."""

    deliveries: int
    electronic_share: float
    violations_local: int
    violations_central: int
    deadline_share: float
    state_corp_deliveries_2024: int
    paper_deliveries_2024: int
    registry_types: int
    registry_electronic: int
    registry_paper: int
    registry_free: int
    registry_paid: int
    registry_free_and_paid: int
    state_corp_available_share: float

    @property
    def registry_state_corp(self) -> int:
        """Service types that can be applied for through the State Corporation."""
        return round(self.state_corp_available_share * self.registry_types)

    @property
    def state_corp_share_of_non_electronic(self) -> float:
        """The State Corporation's part of the deliveries not made on the e-gov portal."""
        paper = self.state_corp_deliveries_2024 + self.paper_deliveries_2024
        return self.state_corp_deliveries_2024 / paper


def _published(key: str) -> Decimal:
    """A figure of seed 000 for 2025, from the project's one transcription of the published
    figures (``index/reference/2025/services_facts.csv``, which cites its line)."""
    figures = period_statistics(2025)
    if figures is None or key not in figures.services:
        raise LookupError(f"services_facts.csv of 2025 has no {key}")
    return figures.services[key].value


TARGETS_2025: Final = ServiceTargets(
    # seed 000: the deliveries of 2025 and their electronic share; the violations found at
    # local and central bodies; the share of them about deadlines.
    deliveries=int(_published("services_total")),
    electronic_share=float(_published("services_electronic_share_pct") / 100),
    violations_local=int(_published("violations_local")),
    violations_central=int(_published("violations_central")),
    deadline_share=float(_published("violations_deadline_share_pct") / 100),
    # seed 002 (2024): «254,7 млн. – электрондық нысанда, 18,4 млн. – Мемкорпорация арқылы,
    # 3,7 млн. – қағаз түрінде»: the split of what is not electronic.
    state_corp_deliveries_2024=18_400_000,
    paper_deliveries_2024=3_700_000,
    # seed 002: «1359 мемлекеттік көрсетілетін қызмет түрлерінен ..., олардың 1255-і
    # электрондық, 104-і қағаз нысанда қолжетімді».
    registry_types=1_359,
    registry_electronic=1_255,
    registry_paper=104,
    # seed 002: «815 қызмет түрі тегін, 504 – ақылы негізде, ал 42 тегін түрде де, ақылы
    # негізде де». The seed's fee breakdown sums to two more than its total
    # (815 + 504 + 42 = 1361 ≠ 1359), so free = 1359 − 504 − 42 = 813.
    registry_free=813,
    registry_paid=504,
    registry_free_and_paid=42,
    # seed 002: «Барлық мемлекеттік көрсетілетін қызметтердің 95% ... Мемкорпорация арқылы
    # алу үшін қолжетімді»: round(0.95 · 1359) = 1291 types.
    state_corp_available_share=0.95,
)

# At most this many delivery records are held in memory at once.
CHUNK_ROWS: Final = 4_000_000

# The registry's make-up beyond the published figures (choices): types applied for only
# at the provider, electronic types also taken there, types with a term in hours, and
# permits besides each body's core service (a second-category permit).
_PROVIDER_ONLY_TYPES: Final = 40
_ALSO_AT_PROVIDER: Final = 0.15
_HOURLY_TYPES: Final = 60
_FIRST_PERMITS: Final = 60
_SECOND_PERMITS: Final = 100
# Share of the deliveries recorded by the akimats (a choice: most registry types are local).
_LOCAL_SHARE: Final = 0.6
# Relative volumes within a level: population for the akimats, the mass services
# (documents, vehicles, property, benefits, taxes) for the ministries; others weigh 0.5.
_BODY_WEIGHTS: Final[dict[str, float]] = {
    "almaty": 2.3,
    "turkistan": 2.1,
    "astana": 1.5,
    "almaty_region": 1.5,
    "shymkent": 1.2,
    "zhambyl": 1.2,
    "karaganda": 1.1,
    "aktobe": 0.9,
    "kostanay": 0.8,
    "kyzylorda": 0.8,
    "akmola": 0.8,
    "mangystau": 0.8,
    "east_kazakhstan": 0.7,
    "pavlodar": 0.75,
    "atyrau": 0.7,
    "zhetisu": 0.7,
    "west_kazakhstan": 0.7,
    "abai": 0.6,
    "north_kazakhstan": 0.55,
    "ulytau": 0.25,
    "mvd": 20.0,
    "mtszn": 14.0,
    "myu": 12.0,
    "mf": 10.0,
    "mz": 8.0,
    "mp": 4.0,
    "mnvo": 4.0,
    "msh": 3.0,
    "miicr": 3.0,
    "gp": 2.0,
    "mt": 2.0,
    "mps": 1.5,
    "mti": 1.5,
    "mepr": 1.2,
    "mchs": 1.0,
    "mid": 1.0,
    "mo": 0.8,
    "me": 0.8,
    "mne": 0.8,
    "arrfr": 0.8,
}
_DEFAULT_BODY_WEIGHT: Final = 0.5
# Bodies that keep a waiting list (housing): every akimat, and these ministries.
_QUEUE_MINISTRIES: Final = frozenset({"mo", "mvd"})

# Shares of the types within their group, a plausible mix: the deadline types share the
# deadline violations, the rest share the others (order 61.7 %, near seed 002's 61.3 %).
_DEADLINE_WEIGHTS: Final[dict[str, float]] = {
    "review_deadline_breach": 0.50,
    "signing_deadline_breach": 0.20,
    "registration_deadline_breach": 0.15,
    "late_incomplete_refusal": 0.15,
}
_OTHER_WEIGHTS: Final[dict[str, float]] = {
    "late_registration": 0.15,
    "routing_failure": 0.03,
    "paper_not_in_monitoring": 0.05,
    "excess_documents_at_registration": 0.11,
    "out_of_queue_order": 0.015,
    "excess_documents_at_review": 0.07,
    "incomplete_package_granted": 0.08,
    "unjustified_refusal": 0.085,
    "refusal_without_hearing": 0.10,
    "refusal_without_reasons": 0.135,
    "third_party_signature": 0.175,
}
# Types placed on records of one channel, allocated first; then any record will do.
_CHANNEL_TYPES: Final = (
    ("paper_not_in_monitoring", 2),
    ("excess_documents_at_registration", 1),
    ("routing_failure", 0),
    ("out_of_queue_order", 0),
)
_CHANNELS: Final = ("egov", "state_corp", "provider")
_FORMS: Final = ("electronic", "paper", "paper")

# Clean records: refused on the merits, or refused at once for an incomplete package.
_CLEAN_REFUSED: Final = 0.02
_CLEAN_REJECTED: Final = 0.004
# Clean waiting-list records per chunk of a body that keeps a list.
_QUEUE_SHARE: Final = 2e-5
_QUEUE_MINIMUM: Final = 4

_DAY_SECONDS: Final = 86_400
_OPENS: Final = 9 * 3600
# Clean records arrive before 17:00, well before the end of the working day (18:30).
_LAST_ARRIVAL: Final = 17 * 3600

_DOCUMENTS: Final = (
    "id_card",
    "title_deed",
    "technical_passport",
    "birth_certificate",
    "marriage_certificate",
    "income_certificate",
    "medical_certificate",
    "photo",
    "payment_receipt",
    "project",
    "survey",
    "neighbours_consent",
    "charter",
    "qualification",
    "employment_contracts",
    "land_plan",
    "power_of_attorney",
    "diploma",
    "address_certificate",
)
# Documents no checklist holds: what an excess demand asks for.
_EXCESS_DOCUMENTS: Final = (
    "id_card_copy",
    "pension_fund_extract",
    "no_criminal_record_certificate",
    "notarised_copy",
    "bank_statement",
    "employer_reference",
)
_REASONS: Final = (
    "не представлено нотариально заверенное согласие собственников",
    "представлены недостоверные сведения о доходах",
    "отрицательное заключение экспертизы проекта",
    "несоответствие земельного участка градостроительному регламенту",
    "заявитель не относится к категории получателей услуги",
)
# Concrete bases name a subparagraph ("2)") or a paragraph ("пункт"): see detect.py.
_CONCRETE_BASES: Final = (
    "подпункт 2) пункта 9 Правил оказания государственной услуги",
    "подпункт 1) статьи 19-1 Закона РК «О государственных услугах»",
    "пункт 12 Правил оказания государственной услуги",
    "подпункт 3) пункта 9 Правил оказания государственной услуги",
)
_WHOLE_ARTICLES: Final = (
    "статья 19-1 Закона РК «О государственных услугах»",
    "ст. 17 Закона РК «Об архитектурной, градостроительной и строительной деятельности»",
    "Закон РК «О государственных услугах»",
    "Правила оказания государственной услуги",
)
_VAGUE_REASON: Final = "не соответствует требованиям законодательства"
# Findings of unjustified refusals: three in four by a control measure of the body, the
# rest on the recipient's appeal or in court.
_BY_MEASURE: Final = 0.75
_ESTABLISHED_OTHERWISE: Final[dict[str, float]] = {"appeal": 0.8, "court": 0.2}

_GENERAL_NAMES: Final = (
    (
        "Выдача справки о наличии либо отсутствии недвижимого имущества",
        "Жылжымайтын мүліктің бар-жоғы туралы анықтама беру",
    ),
    (
        "Выдача справки о регистрации по месту жительства",
        "Тұрғылықты жері бойынша тіркелгені туралы анықтама беру",
    ),
    (
        "Выдача справки о зарегистрированных правах на недвижимое имущество",
        "Жылжымайтын мүлікке тіркелген құқықтар туралы анықтама беру",
    ),
    (
        "Выдача справки о наличии личного подсобного хозяйства",
        "Жеке қосалқы шаруашылығының бар екені туралы анықтама беру",
    ),
    ("Выдача архивных справок", "Мұрағаттық анықтамалар беру"),
    (
        "Выдача справки о статусе многодетной семьи",
        "Көпбалалы отбасы мәртебесі туралы анықтама беру",
    ),
    (
        "Назначение государственного пособия на рождение ребёнка",
        "Бала тууына байланысты мемлекеттік жәрдемақы тағайындау",
    ),
    ("Назначение адресной социальной помощи", "Атаулы әлеуметтік көмек тағайындау"),
    ("Регистрация рождения ребёнка", "Баланың тууын тіркеу"),
    ("Государственная регистрация заключения брака", "Неке қиюды мемлекеттік тіркеу"),
    ("Постановка на учёт в качестве безработного", "Жұмыссыз ретінде тіркеуге алу"),
    (
        "Приём документов в организации дошкольного образования",
        "Мектепке дейінгі білім беру ұйымдарына құжаттар қабылдау",
    ),
    (
        "Выдача дубликатов документов об образовании",
        "Білімі туралы құжаттардың телнұсқаларын беру",
    ),
    ("Государственная регистрация транспортных средств", "Көлік құралдарын мемлекеттік тіркеу"),
    ("Выдача удостоверения личности", "Жеке куәлік беру"),
    ("Государственная регистрация юридических лиц", "Заңды тұлғаларды мемлекеттік тіркеу"),
    (
        "Изготовление и выдача идентификационного документа на земельный участок",
        "Жер учаскесіне сәйкестендіру құжатын дайындау және беру",
    ),
    (
        "Предоставление земельного участка для строительства",
        "Құрылыс салу үшін жер учаскесін беру",
    ),
    ("Выдача архитектурно-планировочного задания", "Сәулет-жоспарлау тапсырмасын беру"),
    ("Согласование эскиза (эскизного проекта)", "Эскизді (эскиздік жобаны) келісу"),
)
_FIRST_PERMIT_NAMES: Final = (
    ("Выдача лицензии на образовательную деятельность", "Білім беру қызметіне лицензия беру"),
    ("Выдача лицензии на медицинскую деятельность", "Медициналық қызметке лицензия беру"),
    ("Выдача экологического разрешения", "Экологиялық рұқсат беру"),
    (
        "Выдача лицензии на занятие архитектурной деятельностью",
        "Сәулет қызметімен айналысуға лицензия беру",
    ),
)
_SECOND_PERMIT_NAMES: Final = (
    (
        "Выдача разрешения на размещение наружной рекламы",
        "Сыртқы (көрнекі) жарнаманы орналастыруға рұқсат беру",
    ),
    ("Выдача заключения на ввоз пестицидов", "Пестицидтерді әкелуге қорытынды беру"),
    (
        "Выдача решения на перепланировку помещений",
        "Үй-жайларды қайта жоспарлауға шешім беру",
    ),
    (
        "Выдача решения на изменение целевого назначения земельного участка",
        "Жер учаскесінің нысаналы мақсатын өзгертуге шешім беру",
    ),
    (
        "Аттестация организаций на право проведения работ в области промышленной безопасности",
        "Өнеркәсіптік қауіпсіздік саласындағы жұмыстарды жүргізу құқығына ұйымдарды аттестаттау",
    ),
)
_HOUSING_NAME: Final = (
    "Постановка на учёт граждан, нуждающихся в жилище из государственного жилищного фонда",
    "Мемлекеттік тұрғын үй қорынан тұрғын үйге мұқтаж азаматтарды есепке қою",
)
_LOCAL_UNITS: Final = (
    "ГУ «Аппарат акима»",
    "ГУ «Управление земельных отношений»",
    "ГУ «Управление архитектуры и градостроительства»",
    "ГУ «Управление жилищной политики»",
    "ГУ «Управление занятости и социальных программ»",
    "ГУ «Управление образования»",
)
_CENTRAL_UNITS: Final = (
    "Центральный аппарат",
    "Департамент по г. Астана",
    "Департамент по г. Алматы",
    "Департамент по г. Шымкент",
    "Департамент по Карагандинской области",
    "Департамент по Туркестанской области",
)


# --- Counting ------------------------------------------------------------------------------


def _at_least_one(total: int, weights: dict[str, float]) -> dict[str, int]:
    """``total`` over the types by weight, each type getting one first when there are enough."""
    names = list(weights)
    floor = 1 if total >= len(names) else 0
    rest = apportion(total - floor * len(names), [weights[n] for n in names])
    return {name: floor + int(count) for name, count in zip(names, rest, strict=True)}


def _type_plan(targets: ServiceTargets, scale: float) -> dict[Level, dict[str, int]]:
    """Planned violations per level and type: exact level totals, exact deadline share."""
    catalogue = load_catalogue()
    deadline_ids = [t.id for t in catalogue.types if t.category is Category.DEADLINE]
    other_ids = [t.id for t in catalogue.types if t.category is not Category.DEADLINE]
    if set(deadline_ids) != set(_DEADLINE_WEIGHTS) or set(other_ids) != set(_OTHER_WEIGHTS):
        raise ValueError("the synthetic type weights do not cover the violation catalogue")
    local = round(targets.violations_local * scale)
    central = round(targets.violations_central * scale)
    deadline = round(targets.deadline_share * (local + central))
    by_type = _at_least_one(deadline, _DEADLINE_WEIGHTS) | _at_least_one(
        local + central - deadline, _OTHER_WEIGHTS
    )
    ids = list(catalogue.ids())
    totals = np.array([by_type[i] for i in ids], np.int64)
    on_local = apportion(local, totals, totals)
    return {
        Level.MIO: dict(zip(ids, (int(v) for v in on_local), strict=True)),
        Level.CGO: dict(zip(ids, (int(v) for v in totals - on_local), strict=True)),
    }


# --- Working days ----------------------------------------------------------------------------


class _Calendar:
    """Working-day arithmetic on whole arrays, over the span detection reads."""

    def __init__(self, year: int) -> None:
        self.first = date(year, 1, 1) - timedelta(days=31)
        last = date(year, 12, 31) + timedelta(days=366)
        calendar = WorkingCalendar.build(self.first, last)
        table = calendar.table()
        self.epoch_day = (self.first - date(1970, 1, 1)).days
        self.wd = np.asarray(table.column("wd").to_numpy(), np.int64)
        working = np.asarray(table.column("is_working").to_numpy(zero_copy_only=False), bool)
        self.days = len(self.wd)
        self.year_start = (date(year, 1, 1) - self.first).days
        self.year_end = (date(year, 12, 31) - self.first).days
        self.date_of_wd = np.zeros(int(self.wd.max()) + 1, np.int64)
        self.date_of_wd[self.wd[working]] = np.flatnonzero(working)
        in_year = np.zeros(self.days, bool)
        in_year[self.year_start : self.year_end + 1] = True
        self.working_in_year = np.flatnonzero(working & in_year)
        self.last_wd_of_year = int(self.wd[self.year_end])

    def seconds(self, wd: Ints, second_of_day: Ints) -> Ints:
        """Seconds since 1970 of a time of day on the working day numbered ``wd``."""
        day = self.epoch_day + self.date_of_wd[wd]
        return np.asarray(day * _DAY_SECONDS + second_of_day, np.int64)

    def day_of(self, seconds: Ints) -> Ints:
        """The calendar day (offset from ``first``) of times in seconds since 1970."""
        return np.asarray(seconds // _DAY_SECONDS - self.epoch_day, np.int64)
