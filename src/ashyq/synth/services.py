"""A synthetic national year of public-service deliveries, calibrated to the published figures.

The registry of service types, the providers' staff and leave, the delivery records, the
findings of control measures and (``ashyq.synth.control``) the control measures and what
followed them are drawn with NumPy, a whole column at a time, body by body and in chunks
of at most ``CHUNK_ROWS`` records, so that the national year (292.5 M deliveries) is
written in minutes with bounded memory. Every count is exact: the
violations are planned first (per level, per type, per body and chunk, by largest
remainder) and placed on chosen records; each violating record carries exactly one
violation of the catalogue and every other record is clean, so ``ashyq.services.detect``
finds exactly the plan. The same arguments give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ashyq.bodies import Body, Level, load_bodies
from ashyq.calendar import WorkingCalendar
from ashyq.periods import Period
from ashyq.records.model import RecordKind
from ashyq.records.store import RecordStore, StoreRun
from ashyq.services.catalogue import Category, load_catalogue
from ashyq.services.control import CONTROL_KINDS
from ashyq.services.model import (
    ACCEPTANCE_ENDS,
    DELIVERIES,
    FINDINGS,
    LEAVES,
    SERVICES,
    SIGNING_AUTHORITY,
    STAFF,
)
from ashyq.synth.arrays import (
    Bools,
    Floats,
    Ints,
    apportion,
    dates,
    exact_labels,
    fixed_width,
    hex_digits,
    numbered,
    stamps,
    taken,
)
from ashyq.synth.control import (
    BodyMeasures,
    control_records,
    plan_control,
    plan_measures,
    rules_of,
)

# Where the files go: a data home's store; one import file per kind; or the same with the
# deliveries in one file per month.
Layout = Literal["store", "import", "monthly"]
LAYOUTS: Final[tuple[Layout, ...]] = ("store", "import", "monthly")

__all__ = [
    "CHUNK_ROWS",
    "LAYOUTS",
    "TARGETS_2025",
    "ServiceTargets",
    "ServicesSynthesis",
    "synthesize_registry",
    "synthesize_services",
]


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


TARGETS_2025: Final = ServiceTargets(
    # seed 000 (АДГС, report for 2025): «из 292,5 млн госуслуг ... 94% были предоставлены
    # в электронном формате».
    deliveries=292_500_000,
    electronic_share=0.94,
    # seed 000: «местные исполнительные органы – 347,6 тыс. нарушений; центральные
    # госорганы – 130,7 тыс. нарушений».
    violations_local=347_600,
    violations_central=130_700,
    # seed 000: «30,7% – связано с несоблюдением сроков».
    deadline_share=0.307,
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


@dataclass(frozen=True)
class ServicesSynthesis:
    """What ``synthesize_services`` wrote, and the plan the records follow.

    ``plan`` is the answer key: one row per planned violation (provider_body,
    delivery_id, violation_type, level, service_code), which detection must find exactly.
    ``control`` counts the records of each control kind written; ``fines_mci`` is the sum
    of the protocols' fines.
    """

    home: Path
    layout: Layout
    year: int
    files: tuple[Path, ...]
    plan: Path
    deliveries: int
    electronic: int
    deliveries_by_channel: dict[str, int]
    deliveries_by_body: dict[str, int]
    planned_by_type: dict[str, int]
    planned_by_level: dict[str, int]
    planned_by_level_and_type: dict[str, dict[str, int]]
    services: int
    staff: int
    leaves: int
    findings: int
    control: dict[str, int]
    fines_mci: int


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


# --- Registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Registry:
    """The registry as a table and as arrays per service (row order = code order)."""

    table: pa.Table
    codes: pa.Array
    body: Ints
    deadline_days: Ints  # -1 for a service set in hours
    deadline_hours: Ints
    refusal_days: Ints
    hearing: Bools
    queue: Bools
    channel: npt.NDArray[np.bool_]  # services × 3: egov, state_corp, provider
    checklist_size: Ints
    popularity: Floats
    # Document strings: checklist [0, n), checklist less its last item [n, 2n), checklist
    # plus excess document x at 2n + s·X + x, excess document x alone at 2n + n·X + x.
    documents: pa.Array


def _build_registry(seed: int, targets: ServiceTargets = TARGETS_2025) -> _Registry:
    """The registry with the published figures exact (see ``synthesize_registry``)."""
    rng = np.random.default_rng([seed, 0])
    bodies = list(load_bodies())
    n_bodies = len(bodies)
    queue_bodies = [
        i for i, b in enumerate(bodies) if b.level is Level.MIO or b.code in _QUEUE_MINISTRIES
    ]
    total = targets.registry_types
    rest = total - n_bodies - len(queue_bodies)
    # Rows: one core service per body (every channel, a second-category permit that
    # needs a hearing), the housing lists, then the rest spread by the bodies' volumes.
    weights = np.sqrt([_BODY_WEIGHTS.get(b.code, _DEFAULT_BODY_WEIGHT) for b in bodies])
    per_body = apportion(rest, weights)
    body = np.concatenate(
        [
            np.arange(n_bodies, dtype=np.int64),
            np.array(queue_bodies, np.int64),
            rng.permutation(np.repeat(np.arange(n_bodies, dtype=np.int64), per_body)),
        ]
    )
    core = np.zeros(total, bool)
    core[:n_bodies] = True
    queue = np.zeros(total, bool)
    queue[n_bodies : n_bodies + len(queue_bodies)] = True
    others = slice(n_bodies + len(queue_bodies), total)

    # Form and channels: the State Corporation serves round(0.95 · total) types.
    electronic = np.ones(total, bool)
    paper_rest = targets.registry_paper
    electronic[others] = exact_labels(rng, [rest - paper_rest, paper_rest]) == 0
    without_state_corp = total - targets.registry_state_corp
    provider_only = min(paper_rest, _PROVIDER_ONLY_TYPES)
    egov_only = without_state_corp - provider_only
    channel = np.zeros((total, 3), bool)
    channel[core] = True
    channel[queue, :2] = True
    rest_index = np.arange(total)[others]
    paper_index = rest_index[~electronic[others]]
    electronic_index = rest_index[electronic[others]]
    paper_kind = exact_labels(rng, [provider_only, paper_rest - provider_only])
    channel[paper_index, 2] = True
    channel[paper_index, 1] = paper_kind == 1
    with_provider = round(_ALSO_AT_PROVIDER * (len(electronic_index) - egov_only))
    electronic_kind = exact_labels(
        rng, [egov_only, with_provider, len(electronic_index) - egov_only - with_provider]
    )
    channel[electronic_index, 0] = True
    channel[electronic_index, 1] = electronic_kind > 0
    channel[electronic_index, 2] = electronic_kind == 1

    # Terms: most in working days, some electronic ones in hours.
    deadline_days = rng.choice(
        np.array([0, 1, 2, 3, 5, 7, 10, 15, 20, 30]),
        size=total,
        p=[0.04, 0.08, 0.08, 0.12, 0.20, 0.08, 0.18, 0.10, 0.06, 0.06],
    ).astype(np.int64)
    deadline_days[core] = rng.choice(np.array([3, 5, 7, 10]), size=n_bodies)
    deadline_days[queue] = 10
    deadline_hours = np.full(total, -1, np.int64)
    hourly = rng.choice(electronic_index, size=_HOURLY_TYPES, replace=False)
    deadline_hours[hourly] = rng.choice(np.array([1, 2, 4, 8, 24]), size=_HOURLY_TYPES)
    deadline_days[hourly] = -1
    refusal_days = rng.choice(
        np.array([2, 1, 3, 5]), size=total, p=[0.90, 0.03, 0.04, 0.03]
    ).astype(np.int64)

    # Permits (a minority), hearings (every permit and some others), fees (exact).
    permit = np.zeros(total, np.int64)  # 0 none, 1 first, 2 second
    permit[core] = 2
    permits = [rest - _FIRST_PERMITS - _SECOND_PERMITS, _FIRST_PERMITS, _SECOND_PERMITS]
    permit[rest_index] = exact_labels(rng, permits)
    hearing = (permit > 0) | (rng.random(total) < 0.08)
    hearing[queue] = False
    fee = np.zeros(total, np.int64)  # 0 free, 1 paid, 2 both; housing lists are free
    fee[~queue] = exact_labels(
        rng,
        [
            targets.registry_free - len(queue_bodies),
            targets.registry_paid,
            targets.registry_free_and_paid,
        ],
    )

    # Checklists: the application and 0–4 documents (1–5 codes; at least 2 for the core).
    extra = rng.integers(0, 5, size=total)
    extra[core] = np.maximum(extra[core], 1)
    chosen = np.argsort(rng.random((total, len(_DOCUMENTS))), axis=1)[:, :4]
    vocabulary = pa.array(_DOCUMENTS)
    lists = [pa.repeat("application", total)]
    for k in range(4):
        item = vocabulary.take(pa.array(chosen[:, k]))
        lists.append(pc.binary_join_element_wise(lists[-1], item, "|"))
    stacked = pa.concat_arrays([a.cast(pa.string()) for a in lists])
    rows = np.arange(total)
    checklist = stacked.take(pa.array(extra * total + rows))
    shorter = stacked.take(pa.array(np.maximum(extra - 1, 0) * total + rows))
    excess = pa.array(_EXCESS_DOCUMENTS)
    n_excess = len(excess)
    with_excess = pc.binary_join_element_wise(
        checklist.take(pa.array(np.repeat(rows, n_excess))),
        excess.take(pa.array(np.tile(np.arange(n_excess), total))),
        "|",
    )
    documents = pa.concat_arrays([checklist, shorter, with_excess, excess])

    # Names: housing lists, permits by category, the rest from the general kinds.
    names = np.empty((total, 2), dtype=object)
    for label, vocabulary_names in (
        (0, _GENERAL_NAMES),
        (1, _FIRST_PERMIT_NAMES),
        (2, _SECOND_PERMIT_NAMES),
    ):
        at = np.flatnonzero(permit == label)
        names[at] = np.array(vocabulary_names, dtype=object)[
            rng.integers(0, len(vocabulary_names), size=len(at))
        ]
    names[queue] = np.array(_HOUSING_NAME, dtype=object)

    # Codes in a shuffled order, so that a body's services are not numbered together:
    # the service coded SVC0001 is row by_code[0].
    by_code = rng.permutation(total)
    codes = numbered("SVC", np.arange(1, total + 1, dtype=np.int64), 4)
    body_codes = pa.array([b.code for b in bodies])
    channel_code = channel[:, 1] * 1 + channel[:, 0] * 2 + channel[:, 2] * 4
    # Bits: state_corp 1, egov 2, provider 4, so the names read in a fixed order.
    channel_names = np.array(
        [
            "",
            "state_corp",
            "egov",
            "state_corp|egov",
            "provider",
            "state_corp|provider",
            "egov|provider",
            "state_corp|egov|provider",
        ],
        dtype=object,
    )
    table = pa.table(
        {
            "service_code": codes,
            "name_ru": pa.array(names[by_code, 0], pa.string()),
            "name_kk": pa.array(names[by_code, 1], pa.string()),
            "provider_body": body_codes.take(pa.array(body[by_code])),
            "form": pa.array(np.where(electronic, "electronic", "paper")[by_code], pa.string()),
            "fee": pa.array(np.array(["free", "paid", "both"])[fee[by_code]], pa.string()),
            "channels": pa.array(channel_names[channel_code[by_code]], pa.string()),
            "deadline_days": pa.array(
                deadline_days[by_code], pa.int64(), mask=deadline_days[by_code] < 0
            ),
            "deadline_hours": pa.array(
                deadline_hours[by_code], pa.int64(), mask=deadline_hours[by_code] < 0
            ),
            "refusal_days": pa.array(refusal_days[by_code], pa.int64()),
            "documents": checklist.take(pa.array(by_code)),
            "permit_category": pa.array(
                np.array(["none", "first", "second"])[permit[by_code]], pa.string()
            ),
            "queue_based": pa.array(queue[by_code]),
            "hearing_required": pa.array(hearing[by_code]),
            "accepts_until": pa.repeat(ACCEPTANCE_ENDS, len(by_code)),
        },
        schema=SERVICES.record_schema(),
    )
    # The arrays follow the code order too; document strings are re-indexed alike.
    rows_by_code = np.asarray(by_code, np.int64)
    reordered = np.concatenate(
        [
            rows_by_code,
            total + rows_by_code,
            (2 * total + rows_by_code[:, None] * n_excess + np.arange(n_excess)).ravel(),
            2 * total + total * n_excess + np.arange(n_excess),
        ]
    )
    return _Registry(
        table=table,
        codes=codes,
        body=body[by_code],
        deadline_days=deadline_days[by_code],
        deadline_hours=deadline_hours[by_code],
        refusal_days=refusal_days[by_code],
        hearing=hearing[by_code],
        queue=queue[by_code],
        channel=channel[by_code],
        checklist_size=(extra + 1)[by_code],
        popularity=rng.lognormal(0.0, 1.2, size=total),
        documents=documents.take(pa.array(reordered)),
    )


def synthesize_registry(seed: int) -> pa.Table:
    """The registry of 2025's 1,359 public-service types, with ``SERVICES.record_schema()``.

    The published figures hold exactly: 1,255 electronic and 104 paper types; 813 free,
    504 paid and 42 both; 1,291 (95 %) with ``state_corp`` among their channels. Every
    body provides services; some permits, housing waiting lists and hour-based services
    are among them. The same seed gives the same table.
    """
    return _build_registry(seed).table


# --- Staff and leave -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Staff:
    """A body's staff: signers first (index 0 the first head), then clerks; and who may
    sign on each calendar day."""

    ids: pa.Array  # the staff's ids, then ids nobody on the staff holds
    units: pa.Array  # the unit of each staff member
    clerks: Ints
    unknown: Ints
    available: Ints  # days × signers: the signers entitled to sign that day come first
    available_count: Ints
    on_leave: Ints  # a signer on leave that day, or -1
    former: int  # authority ended on former_until
    former_until: int
    newcomer: int  # authority from newcomer_from
    newcomer_from: int
    table: pa.Table
    leaves: pa.Table
    authorities: pa.Table


def _head_position(body: Body) -> str:
    """The position of a body's first head."""
    if body.level is Level.MIO:
        return "аким"
    heads = {"gp": "Генеральный прокурор", "nb": "Председатель Национального Банка"}
    return heads.get(body.code, "министр" if body.code.startswith("m") else "председатель")


def _build_staff(body: Body, index: int, calendar: _Calendar, seed: int, year: int) -> _Staff:
    """A body's staff list and leave: 3–6 signers with the first head, one whose authority
    ends in the year and one whose authority starts then, and 8–24 clerks who cannot sign.
    Employee ids are ``<BODY>-E00001`` …; ``<BODY>-X00001`` … belong to nobody."""
    rng = np.random.default_rng([seed, 3, index])
    regular = int(rng.integers(3, 7))
    signers = regular + 2
    former, newcomer = regular, regular + 1
    n_clerks = int(rng.integers(8, 25))
    n_staff = signers + n_clerks
    prefix = body.code.upper()
    staff_ids = numbered(f"{prefix}-E", np.arange(1, n_staff + 1, dtype=np.int64), 5)
    unknown_ids = numbered(f"{prefix}-X", np.arange(1, 4, dtype=np.int64), 5)
    local = body.level is Level.MIO
    unit_names = np.array(_LOCAL_UNITS if local else _CENTRAL_UNITS, dtype=object)
    unit = rng.integers(0, len(unit_names), size=n_staff)
    unit[0] = 0
    deputy = "заместитель акима" if local else "вице-министр"
    head_of_unit = "руководитель управления" if local else "директор департамента"
    position = np.empty(n_staff, dtype=object)
    position[0] = _head_position(body)
    position[1:signers] = np.where(rng.random(signers - 1) < 0.4, deputy, head_of_unit)
    position[signers:] = np.array(
        ["главный специалист", "ведущий специалист", "специалист"], dtype=object
    )[rng.integers(0, 3, size=n_clerks)]
    # One signer's authority ends during the year, another's starts the day after.
    former_until = calendar.year_start + int(rng.integers(120, 240))
    newcomer_from = former_until + 1
    sign_from = np.full(n_staff, -1, np.int64)
    sign_until = np.full(n_staff, -1, np.int64)
    sign_until[former] = former_until
    sign_from[newcomer] = newcomer_from
    is_signer = np.arange(n_staff) < signers
    table = pa.table(
        {
            "employee_id": staff_ids,
            "body": pa.repeat(body.code, n_staff),
            "unit": pa.array(unit_names[unit], pa.string()),
            "position": pa.array(position, pa.string()),
            "is_manager": pa.array(is_signer),
            "is_first_head": pa.array(np.arange(n_staff) == 0),
            "can_sign": pa.array(is_signer),
            "can_sign_from": dates(calendar.epoch_day + sign_from, sign_from >= 0),
            "can_sign_until": dates(calendar.epoch_day + sign_until, sign_until >= 0),
        },
        schema=STAFF.record_schema(),
    )

    # Leave: each regular signer once, in windows that never overlap (someone can always
    # sign); about half the clerks once, anywhere in the year.
    year_days = calendar.year_end - calendar.year_start + 1
    window = year_days // regular
    length = rng.integers(14, 25, size=regular)
    starts = (
        calendar.year_start
        + np.arange(regular) * window
        + (rng.random(regular) * (window - length + 1)).astype(np.int64)
    )
    clerk_on_leave = np.flatnonzero(rng.random(n_clerks) < 0.5) + signers
    clerk_length = rng.integers(14, 25, size=len(clerk_on_leave))
    clerk_starts = calendar.year_start + (
        rng.random(len(clerk_on_leave)) * (year_days - clerk_length)
    ).astype(np.int64)
    who = np.concatenate([np.arange(regular, dtype=np.int64), clerk_on_leave])
    first = np.concatenate([starts, clerk_starts])
    last = first + np.concatenate([length, clerk_length]) - 1
    leaves = pa.table(
        {
            "leave_id": numbered(f"О-{year}-", np.arange(1, len(who) + 1, dtype=np.int64), 4),
            "body": pa.repeat(body.code, len(who)),
            "employee_id": staff_ids.take(pa.array(who)),
            "starts_on": dates(calendar.epoch_day + first),
            "ends_on": dates(calendar.epoch_day + last),
        },
        schema=LEAVES.record_schema(),
    )

    # While the first head is on leave, the second signer acts for them by order (an
    # authority they hold anyway: no signature changes its verdict).
    authorities = pa.table(
        {
            "order_id": pa.array([f"{year}-{prefix}-АК-1"], pa.string()),
            "body": pa.array([body.code], pa.string()),
            "employee_id": staff_ids.take(pa.array([1])),
            "on_behalf_of": staff_ids.take(pa.array([0])),
            "valid_from": dates(calendar.epoch_day + first[:1]),
            "valid_until": dates(calendar.epoch_day + last[:1]),
        },
        schema=SIGNING_AUTHORITY.record_schema(),
    )

    days = np.arange(calendar.days)[:, None]
    away = (days >= starts[None, :]) & (days <= (starts + length - 1)[None, :])
    entitled = np.ones((calendar.days, signers), bool)
    entitled[:, :regular] = ~away
    entitled[:, former] = days[:, 0] <= former_until
    entitled[:, newcomer] = days[:, 0] >= newcomer_from
    on_leave = np.where(away.any(axis=1), np.argmax(away, axis=1), -1).astype(np.int64)
    return _Staff(
        ids=pa.concat_arrays([staff_ids, unknown_ids]),
        units=pa.array(unit_names[unit], pa.string()),
        clerks=np.arange(signers, n_staff, dtype=np.int64),
        unknown=np.arange(n_staff, n_staff + len(unknown_ids), dtype=np.int64),
        available=np.argsort(~entitled, axis=1, kind="stable").astype(np.int64),
        available_count=entitled.sum(axis=1).astype(np.int64),
        on_leave=on_leave,
        former=former,
        former_until=former_until,
        newcomer=newcomer,
        newcomer_from=newcomer_from,
        table=table,
        leaves=leaves,
        authorities=authorities,
    )


# --- The plan: deliveries per body and chunk, violations per chunk ------------------------


@dataclass(frozen=True)
class _BodyPlan:
    """A body, its position in the registry of bodies, and its number of deliveries."""

    body: Body
    index: int
    deliveries: int
    queue_service: int  # the registry row of its waiting list, or -1


@dataclass(frozen=True)
class _Unit:
    """A chunk of one body's deliveries: its rows by channel and its waiting-list rows."""

    body: int
    chunk: int
    start: int
    rows: int
    egov: int
    state_corp: int
    provider: int
    queue_rows: int


def _body_plans(
    registry: _Registry, targets: ServiceTargets, scale: float
) -> tuple[list[_BodyPlan], list[_Unit]]:
    """Deliveries per body (the akimats' share, then by weight within a level) and their
    chunks, each with exact numbers per channel: the electronic share of the total, and
    the State Corporation's part of the rest, apportioned by largest remainder."""
    bodies = list(load_bodies())
    total = round(targets.deliveries * scale)
    raw = np.array([_BODY_WEIGHTS.get(b.code, _DEFAULT_BODY_WEIGHT) for b in bodies])
    local = np.array([b.level is Level.MIO for b in bodies])
    weights = np.where(
        local, _LOCAL_SHARE * raw / raw[local].sum(), (1 - _LOCAL_SHARE) * raw / raw[~local].sum()
    )
    deliveries = apportion(total, weights)
    electronic = apportion(round(targets.electronic_share * total), deliveries, deliveries)
    paper = deliveries - electronic
    share = targets.state_corp_share_of_non_electronic
    state_corp = apportion(round(share * int(paper.sum())), paper, paper)
    plans: list[_BodyPlan] = []
    units: list[_Unit] = []
    for index, body in enumerate(bodies):
        queue_rows = np.flatnonzero(registry.queue & (registry.body == index))
        plans.append(
            _BodyPlan(
                body, index, int(deliveries[index]), int(queue_rows[0]) if len(queue_rows) else -1
            )
        )
        n = int(deliveries[index])
        chunks = -(-n // CHUNK_ROWS)
        sizes = apportion(n, np.ones(chunks))
        egov = apportion(int(electronic[index]), sizes, sizes)
        corp = apportion(int(state_corp[index]), sizes - egov, sizes - egov)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        for chunk in range(chunks):
            rows, e = int(sizes[chunk]), int(egov[chunk])
            reserved = max(_QUEUE_MINIMUM, round(rows * _QUEUE_SHARE)) if len(queue_rows) else 0
            units.append(
                _Unit(
                    index,
                    chunk,
                    int(starts[chunk]),
                    rows,
                    e,
                    int(corp[chunk]),
                    rows - e - int(corp[chunk]),
                    min(reserved, e),
                )
            )
    return plans, units


def _allocate(
    units: list[_Unit], plans: list[_BodyPlan], by_level: dict[Level, dict[str, int]]
) -> Ints:
    """Violations per type (catalogue order) and unit: each level's count of each type over
    the units of that level, by the records that can carry it, none carrying two."""
    ids = list(load_catalogue().ids())
    level = np.array([plans[u.body].body.level.value for u in units])
    egov = np.array([u.egov - u.queue_rows for u in units], np.int64)
    corp = np.array([u.state_corp for u in units], np.int64)
    provider = np.array([u.provider for u in units], np.int64)
    left = np.array([u.rows - u.queue_rows for u in units], np.int64)
    keeps_list = np.array([u.queue_rows > 0 for u in units])
    out = np.zeros((len(ids), len(units)), np.int64)
    channel_types = dict(_CHANNEL_TYPES)
    order = [t for t, _ in _CHANNEL_TYPES] + [t for t in ids if t not in channel_types]
    for type_id in order:
        row = ids.index(type_id)
        for lvl, counts in by_level.items():
            mine = level == lvl.value
            channel = channel_types.get(type_id)
            if channel is None:
                room = left
            else:
                room = (egov, corp, provider)[channel]
                if type_id == "out_of_queue_order":
                    room = np.where(keeps_list, room, 0)
            room = np.where(mine, np.minimum(room, left), 0)
            placed = apportion(counts[type_id], room, room)
            out[row] += placed
            left -= placed
            if channel is not None:
                (egov, corp, provider)[channel][:] -= placed
    return out


# --- Delivery records ----------------------------------------------------------------------


class _Body:
    """What every chunk of one body shares: its days, its services, its staff, and the
    control measures that check it."""

    def __init__(
        self,
        plan: _BodyPlan,
        registry: _Registry,
        calendar: _Calendar,
        staff: _Staff,
        measures: BodyMeasures,
        seed: int,
    ) -> None:
        self.plan = plan
        self.code = plan.body.code
        self.measures = measures
        self.staff = staff
        rng = np.random.default_rng([seed, 1, plan.index])
        # Records per working day of the year, numbered in order of arrival day.
        self.days = calendar.working_in_year
        weight = rng.gamma(20.0, 1.0, size=len(self.days))
        counts = rng.multinomial(plan.deliveries, weight / weight.sum())
        self.cumulative = np.cumsum(counts).astype(np.int64)
        # Service pools per channel and need: 0 any, 1 a term in days (at least one) and a
        # checklist of two or more, 2 the same with a hearing before a refusal.
        own = np.flatnonzero((registry.body == plan.index) & ~registry.queue)
        by_days = (registry.deadline_days[own] >= 1) & (registry.checklist_size[own] >= 2)
        needs = (np.ones(len(own), bool), by_days, by_days & registry.hearing[own])
        self.pools: dict[tuple[int, int], tuple[Ints, Floats]] = {}
        for channel in range(3):
            for need, allowed in enumerate(needs):
                pool = own[allowed & registry.channel[own, channel]]
                self.pools[channel, need] = (pool, np.cumsum(registry.popularity[pool]))

    def pick(self, channel: int, need: int, draws: Floats) -> Ints:
        """Services for records of ``channel`` with ``need``, by popularity."""
        pool, cumulative = self.pools[channel, need]
        if not len(draws):
            return np.zeros(0, np.int64)
        if not len(pool):
            raise ValueError(f"{self.code}: no service for channel {_CHANNELS[channel]}")
        return np.asarray(pool[np.searchsorted(cumulative, draws * cumulative[-1], "right")])


@dataclass(frozen=True)
class _Chunk:
    deliveries: pa.Table
    plan: pa.Table
    findings: pa.Table


class _ChunkBuilder:
    """One chunk of a body's delivery records, drawn a column at a time.

    The steps run in order: place the violations (``kind``: the catalogue index of each
    record's one violation, -1 for a clean record), choose services, schedule the stages
    in working days, set the clock, then refusals, documents and signers.
    """

    def __init__(
        self,
        body: _Body,
        unit: _Unit,
        registry: _Registry,
        calendar: _Calendar,
        rng: np.random.Generator,
    ) -> None:
        self.body = body
        self.unit = unit
        self.registry = registry
        self.calendar = calendar
        self.rng = rng
        self.ids = list(load_catalogue().ids())
        self.n = n = unit.rows
        self.row = np.arange(unit.start, unit.start + n, dtype=np.int64)
        day = body.days[np.searchsorted(body.cumulative, self.row, side="right")]
        self.wd0 = calendar.wd[day]
        self.channel = rng.permutation(
            np.repeat(np.arange(3, dtype=np.int64), [unit.egov, unit.state_corp, unit.provider])
        )
        self.kind = np.full(n, -1, np.int64)
        self.listed = np.zeros(0, np.int64)
        self.service = np.full(n, body.plan.queue_service, np.int64)
        # Working-day numbers of the stages, and what happened.
        self.registered_wd = self.wd0.copy()
        self.decided_wd = self.wd0.copy()
        self.signed_wd = self.wd0.copy()
        self.rejected_wd = self.wd0.copy()
        self.has_registration = np.ones(n, bool)
        self.has_decision = np.ones(n, bool)
        self.has_rejection = np.zeros(n, bool)
        self.decision = np.ones(n, np.int64)  # 0 none, 1 issued, 2 refused
        self.position = np.zeros(n, np.int64)
        self.in_order = np.zeros(0, np.int64)

    def rows_of(self, type_id: str) -> Ints:
        """The records planned to carry ``type_id``."""
        return np.flatnonzero(self.kind == self.ids.index(type_id))

    def _undecided(self, at: Ints) -> None:
        self.has_decision[at] = False
        self.decision[at] = 0

    def place(self, counts: Ints) -> None:
        """Choose the violating records (and the waiting-list ones): those of one channel
        first, then any record; never two violations on one record."""
        rng, free = self.rng, np.ones(self.n, bool)
        for type_id, channel in _CHANNEL_TYPES:
            pool = np.flatnonzero(free & (self.channel == channel))
            chosen = rng.choice(pool, size=int(counts[self.ids.index(type_id)]), replace=False)
            self.kind[chosen] = self.ids.index(type_id)
            free[chosen] = False
        listed = rng.choice(
            np.flatnonzero(free & (self.channel == 0)), size=self.unit.queue_rows, replace=False
        )
        self.listed = np.sort(listed)
        free[listed] = False
        on_channel = {type_id for type_id, _ in _CHANNEL_TYPES}
        rest = np.array([i for i, t in enumerate(self.ids) if t not in on_channel], np.int64)
        chosen = rng.choice(np.flatnonzero(free), size=int(counts[rest].sum()), replace=False)
        self.kind[chosen] = np.repeat(rest, counts[rest])

    def choose_services(self) -> None:
        """By popularity for clean records; one that lets the rule be broken for the others
        (a term in days, a checklist, a hearing); the housing list for the list's records."""
        in_list = np.zeros(self.n, bool)
        in_list[self.listed] = True
        in_list[self.rows_of("out_of_queue_order")] = True
        need = np.where(self.kind >= 0, 1, 0)
        need[self.rows_of("refusal_without_hearing")] = 2
        draws = self.rng.random(self.n)
        for channel in range(3):
            for wanted in range(3):
                at = np.flatnonzero((self.channel == channel) & (need == wanted) & ~in_list)
                self.service[at] = self.body.pick(channel, wanted, draws[at])
        self.clean = (self.kind < 0) & ~in_list
        self.days_term = self.registry.deadline_days[self.service]
        self.term = np.maximum(self.days_term, 0)
        self.refusal_term = self.registry.refusal_days[self.service]

    def schedule(self) -> None:
        """Working days of each stage: clean records registered on day zero, decided and
        signed within the term; each violating record late exactly where its type says."""
        rng, wd0, term, n = self.rng, self.wd0, self.term, self.n
        decided_on = np.floor(rng.random(n) ** 2 * (term + 1)).astype(np.int64)
        signed_after = np.where(
            rng.random(n) < 0.75, 0, np.floor(rng.random(n) * (term - decided_on + 1))
        ).astype(np.int64)
        self.decided_wd = wd0 + decided_on
        self.signed_wd = self.decided_wd + signed_after
        draw = rng.random(n)
        self.decision[self.clean & (draw < _CLEAN_REFUSED)] = 2
        rejected = self.clean & (draw >= _CLEAN_REFUSED) & (draw < _CLEAN_REFUSED + _CLEAN_REJECTED)
        self.rejected_clean = np.flatnonzero(rejected)
        self._reject(self.rejected_clean, 0, self.refusal_term[self.rejected_clean] + 1)
        self._break_registration()
        at = self.rows_of("review_deadline_breach")
        self.decided_wd[at] = wd0[at] + term[at] + rng.integers(1, 11, size=len(at))
        self.signed_wd[at] = self.decided_wd[at]
        at = self.rows_of("signing_deadline_breach")
        self.decided_wd[at] = wd0[at] + self._upto(term[at])
        self.signed_wd[at] = wd0[at] + term[at] + rng.integers(1, 6, size=len(at))
        at = self.rows_of("late_incomplete_refusal")
        self._reject(at, self.refusal_term[at] + 1, self.refusal_term[at] + 6)
        at = self.rows_of("routing_failure")
        self._undecided(at)
        self.has_registration[at] = False
        for type_id in (
            "unjustified_refusal",
            "refusal_without_hearing",
            "refusal_without_reasons",
        ):
            self.decision[self.rows_of(type_id)] = 2
        # A finding falls within the year: the refusal it is about is decided by then.
        at = self.rows_of("unjustified_refusal")
        self.decided_wd[at] = np.minimum(self.decided_wd[at], self.calendar.last_wd_of_year)
        self.signed_wd[at] = self.decided_wd[at]
        self._queue()

    def _upto(self, limit: Ints) -> Ints:
        """A whole number from 0 to ``limit`` (both included) for each limit."""
        return np.floor(self.rng.random(len(limit)) * (limit + 1)).astype(np.int64)

    def _reject(self, at: Ints, low: Ints | int, high: Ints) -> None:
        """Refused for an incomplete package, ``low`` to ``high - 1`` working days in."""
        self._undecided(at)
        self.has_rejection[at] = True
        self.rejected_wd[at] = self.wd0[at] + low + self._upto(high - low - 1)

    def _break_registration(self) -> None:
        wd0, term = self.wd0, self.term
        # Registered late, the result still on time.
        at = self.rows_of("late_registration")
        late = 1 + self._upto(term[at] - 1)
        self.registered_wd[at] = wd0[at] + late
        self.decided_wd[at] = self.registered_wd[at] + self._upto(term[at] - late)
        self.signed_wd[at] = self.decided_wd[at]
        # Registered so late that the term is missed, though the rest took no longer than it.
        at = self.rows_of("registration_deadline_breach")
        late = 1 + self._upto(term[at])
        soonest = np.maximum(0, term[at] + 1 - late)
        self.registered_wd[at] = wd0[at] + late
        self.decided_wd[at] = self.registered_wd[at] + soonest + self._upto(term[at] - soonest)
        self.signed_wd[at] = self.decided_wd[at]

    def _queue(self) -> None:
        """The chunk's waiting list: positions served in order, then the ones still
        waiting, then the violators, served while earlier positions wait."""
        listed = self.listed
        waiting_count = max(1, len(listed) // 4) if len(listed) else 0
        self.in_order = listed[: len(listed) - waiting_count]
        waiting = listed[len(listed) - waiting_count :]
        queue_rows = np.concatenate([self.in_order, waiting, self.rows_of("out_of_queue_order")])
        self.position[queue_rows] = np.arange(1, len(queue_rows) + 1)
        self._undecided(waiting)
        term = int(self.registry.deadline_days[max(self.body.plan.queue_service, 0)])
        served_on = 1 + int(self.rng.integers(0, max(1, term)))
        self.decided_wd[self.in_order] = self.wd0[self.in_order] + served_on
        self.signed_wd[self.in_order] = self.decided_wd[self.in_order]

    def clock(self) -> None:
        """Times in seconds since 1970: arrival in working hours; a stage on the day of the
        one before follows it by minutes, one on a later day comes in working hours."""
        rng, n, calendar = self.rng, self.n, self.calendar

        def after(previous_wd: Ints, previous: Ints, wd: Ints, low: int, high: int) -> Ints:
            later_day = rng.integers(_OPENS, _LAST_ARRIVAL, size=n)
            return np.where(
                wd == previous_wd, previous + rng.integers(low, high, size=n), later_day
            )

        arrival = rng.integers(_OPENS, _LAST_ARRIVAL, size=n)
        registration = after(self.wd0, arrival, self.registered_wd, 60, 1800)
        decision = after(self.registered_wd, registration, self.decided_wd, 600, 3600)
        signing = after(self.decided_wd, decision, self.signed_wd, 60, 1800)
        rejection = after(self.registered_wd, registration, self.rejected_wd, 600, 3600)
        # The list is served in the order of its positions.
        decision[self.in_order] = 10 * 3600 + self.position[self.in_order]
        signing[self.in_order] = decision[self.in_order] + 60
        self.submitted = calendar.seconds(self.wd0, arrival)
        self.registered = calendar.seconds(self.registered_wd, registration)
        self.decided = calendar.seconds(self.decided_wd, decision)
        self.signed = calendar.seconds(self.signed_wd, signing)
        self.rejected = calendar.seconds(self.rejected_wd, rejection)
        # Services set in hours (clean records only): done within 20–90 % of the term.
        hourly = np.flatnonzero((self.days_term < 0) & self.has_decision)
        hours = self.registry.deadline_hours[self.service[hourly]]
        spent = np.floor(rng.uniform(0.2, 0.9, size=len(hourly)) * hours * 3600).astype(np.int64)
        self.registered[hourly] = self.submitted[hourly] + np.maximum(60, spent // 10)
        self.decided[hourly] = self.submitted[hourly] + spent * 7 // 10
        self.signed[hourly] = self.submitted[hourly] + spent

    def refusals(self) -> None:
        """Hearings before the refusals that need one, and concrete reasons; none, too late
        or vague for the violators of those rules."""
        rng, n = self.rng, self.n
        refused = self.decision == 2
        no_hearing = self.rows_of("refusal_without_hearing")
        heard = refused & self.registry.hearing[self.service]
        heard[no_hearing] = False
        self.notice = np.where(heard, self.registered + 60, 0)
        self.held = np.where(heard, (self.registered + 60 + self.decided) // 2, 0)
        self.has_notice, self.has_held = heard.copy(), heard.copy()
        variant = rng.integers(0, 3, size=len(no_hearing))  # no notice, notice only, late
        noticed = no_hearing[variant > 0]
        self.has_notice[noticed] = True
        self.notice[noticed] = self.registered[noticed] + 60
        late = no_hearing[variant == 2]
        self.has_held[late] = True
        self.held[late] = self.decided[late] + rng.integers(3600, 3 * _DAY_SECONDS, size=len(late))
        self.reason = np.where(refused, rng.integers(0, len(_REASONS), size=n), -1)
        self.basis = np.where(refused, rng.integers(0, len(_CONCRETE_BASES), size=n), -1)
        vague = self.rows_of("refusal_without_reasons")
        whole_article = rng.random(len(vague)) < 0.7
        self.reason[vague] = np.where(whole_article, len(_REASONS), -1)
        self.basis[vague[whole_article]] = len(_CONCRETE_BASES) + rng.integers(
            0, len(_WHOLE_ARTICLES), size=int(whole_article.sum())
        )

    def documents(self) -> None:
        """Documents recorded for paper applications (the checklist), with an excess or a
        missing one for the violators; flags of routing and monitoring."""
        services = len(self.registry.deadline_days)
        excess = len(_EXCESS_DOCUMENTS)
        self.requested = np.where(self.channel > 0, self.service, -1)
        self.handed_in = self.requested.copy()
        self.handed_in[self.rejected_clean] = -1
        self.review = np.full(self.n, -1, np.int64)
        at = self.rows_of("excess_documents_at_registration")
        extra = self.rng.integers(0, excess, size=len(at))
        self.requested[at] = 2 * services + self.service[at] * excess + extra
        self.handed_in[at] = self.requested[at]
        at = self.rows_of("excess_documents_at_review")
        extra = self.rng.integers(0, excess, size=len(at))
        self.review[at] = 2 * services + services * excess + extra
        at = self.rows_of("incomplete_package_granted")
        self.handed_in[at] = services + self.service[at]
        self.routed = np.ones(self.n, bool)
        self.routed[self.rows_of("routing_failure")] = False
        self.monitored = np.ones(self.n, bool)
        self.monitored[self.rows_of("paper_not_in_monitoring")] = False

    def signers(self) -> None:
        """Someone entitled to sign on the day of signing; for the violators, an employee on
        leave that day, one without authority then, a clerk, or an unknown id."""
        rng, staff, n = self.rng, self.body.staff, self.n
        day = np.clip(self.calendar.day_of(self.signed), 0, self.calendar.days - 1)
        pick = np.floor(rng.random(n) * staff.available_count[day]).astype(np.int64)
        self.signer = np.where(self.has_decision, staff.available[day, pick], -1)
        self.clerk = staff.clerks[rng.integers(0, len(staff.clerks), size=n)]
        at = self.rows_of("third_party_signature")
        how = rng.integers(0, 4, size=len(at))
        third = staff.clerks[rng.integers(0, len(staff.clerks), size=len(at))]
        away = staff.on_leave[day[at]]
        third = np.where((how == 0) & (away >= 0), away, third)
        outside_term = np.where(day[at] > staff.former_until, staff.former, staff.newcomer)
        third = np.where(how == 1, outside_term, third)
        unknown = staff.unknown[rng.integers(0, len(staff.unknown), size=len(at))]
        self.signer[at] = np.where(how == 3, unknown, third)
        self.employee = np.where(self.routed, self.clerk, -1)

    def applicants(self) -> pa.Array:
        """Pseudonymised applicant ids; half the queue violators are the provider's staff."""
        rng, n, staff = self.rng, self.n, self.body.staff
        applicant = fixed_width([b"A-", hex_digits(rng.integers(0, 16**10, size=n), 10)], n)
        jumpers = self.rows_of("out_of_queue_order")
        officials = jumpers[rng.random(len(jumpers)) < 0.5]
        if not len(officials):
            return applicant
        official = np.zeros(n, np.int64)
        official[officials] = rng.integers(0, len(staff.units), size=len(officials))
        is_official = np.zeros(n, bool)
        is_official[officials] = True
        return pc.if_else(pa.array(is_official), staff.ids.take(pa.array(official)), applicant)

    def table(self, year: int) -> pa.Table:
        """The records, with ``DELIVERIES.record_schema()``."""
        n, code, staff, registry = self.n, self.body.code, self.body.staff, self.registry
        self.delivery_ids = numbered(f"{code.upper()}-{year}-", self.row + 1, 9)
        queue_name = pa.array([f"{code}-housing-{self.unit.chunk + 1:02d}"])
        channel = pa.array(self.channel)
        return pa.table(
            {
                "delivery_id": self.delivery_ids,
                "service_code": registry.codes.take(pa.array(self.service)),
                "provider_body": pa.repeat(code, n),
                "provider_unit": staff.units.take(pa.array(self.clerk)),
                "channel": pa.array(_CHANNELS).take(channel),
                "form": pa.array(_FORMS).take(channel),
                "submitted_at": stamps(self.submitted),
                "registered_at": stamps(self.registered, self.has_registration),
                "routed_ok": pa.array(self.routed),
                "registered_in_monitoring": pa.array(self.monitored),
                "documents_requested": taken(registry.documents, self.requested),
                "documents_submitted": taken(registry.documents, self.handed_in),
                "review_documents_requested": taken(registry.documents, self.review),
                "completeness_checked_at": stamps(
                    self.registered + 120, (self.channel > 0) & self.has_registration
                ),
                "rejected_incomplete_at": stamps(self.rejected, self.has_rejection),
                "queue_list": taken(queue_name, np.where(self.position > 0, 0, -1)),
                "queue_position": pa.array(self.position, pa.int64(), mask=self.position == 0),
                "hearing_notice_at": stamps(self.notice, self.has_notice),
                "hearing_held_at": stamps(self.held, self.has_held),
                "hearing_form": pa.nulls(self.n, pa.string()),  # every hearing in person
                "decision": taken(pa.array(["issued", "refused"]), self.decision - 1),
                "decision_at": stamps(self.decided, self.has_decision),
                # No term is extended in the synthetic year: every delay is a breach.
                "extended_at": pa.nulls(self.n, pa.timestamp("us")),
                "extended_until": pa.nulls(self.n, pa.date32()),
                "extension_basis": pa.nulls(self.n, pa.string()),
                # Refusals reconsidered are not drawn: seed 000 gives no count of them.
                "reconsidered_at": pa.nulls(self.n, pa.timestamp("us")),
                "reconsidered_by": pa.nulls(self.n, pa.string()),
                "refusal_reasons": taken(pa.array([*_REASONS, _VAGUE_REASON]), self.reason),
                "refusal_legal_basis": taken(
                    pa.array([*_CONCRETE_BASES, *_WHOLE_ARTICLES]), self.basis
                ),
                "signed_at": stamps(self.signed, self.has_decision),
                "signed_by": taken(staff.ids, self.signer),
                "applicant_id": self.applicants(),
                "employee_id": taken(staff.ids, self.employee),
            },
            schema=DELIVERIES.record_schema(),
        )

    def answer_key(self) -> pa.Table:
        """One row per planned violation (call after ``table``)."""
        violating = np.flatnonzero(self.kind >= 0)
        count = len(violating)
        return pa.table(
            {
                "provider_body": pa.repeat(self.body.code, count),
                "delivery_id": self.delivery_ids.take(pa.array(violating)),
                "violation_type": pa.array(self.ids).take(pa.array(self.kind[violating])),
                "level": pa.repeat(self.body.plan.body.level.value, count),
                "service_code": self.registry.codes.take(pa.array(self.service[violating])),
            },
            schema=_PLAN_SCHEMA,
        )

    def findings(self, year: int, first: int) -> pa.Table:
        """The findings that establish the unjustified refusals, numbered from ``first``
        (call after ``table``): most by one of the body's control measures (its kind is how
        the finding was established, its last day when), the rest on an appeal or in court."""
        at = self.rows_of("unjustified_refusal")
        n = len(at)
        code, calendar, rng = self.body.code, self.calendar, self.rng
        measures = self.body.measures
        decided = calendar.epoch_day + calendar.day_of(self.decided[at])
        last = calendar.epoch_day + calendar.year_end
        later = np.minimum(decided + rng.integers(5, 91, size=n), last)
        otherwise = rng.choice(
            np.array(list(_ESTABLISHED_OTHERWISE), dtype=object),
            size=n,
            p=list(_ESTABLISHED_OTHERWISE.values()),
        )
        which = np.full(n, -1, np.int64)
        how, established = otherwise, later
        if len(measures):
            by_measure = rng.random(n) < _BY_MEASURE
            which = np.where(by_measure, rng.integers(0, len(measures), size=n), -1)
            how = np.where(by_measure, measures.kinds[np.maximum(which, 0)], otherwise)
            ended = np.clip(measures.ended[np.maximum(which, 0)], decided, last)
            established = np.where(by_measure, ended, later)
        return pa.table(
            {
                "finding_id": numbered(f"Н-{year}-{code.upper()}-", first + np.arange(n) + 1, 5),
                "provider_body": pa.repeat(code, n),
                "delivery_id": self.delivery_ids.take(pa.array(at)),
                "violation_type": pa.repeat("unjustified_refusal", n),
                "established_by": pa.array(how, pa.string()),
                "established_at": dates(established),
                "control_measure_id": taken(measures.ids, which),
            },
            schema=FINDINGS.record_schema(),
        )


_PLAN_SCHEMA: Final = pa.schema(
    [
        pa.field("provider_body", pa.string()),
        pa.field("delivery_id", pa.string()),
        pa.field("violation_type", pa.string()),
        pa.field("level", pa.string()),
        pa.field("service_code", pa.string()),
    ]
)


def _chunk(
    body: _Body,
    unit: _Unit,
    counts: Ints,
    registry: _Registry,
    calendar: _Calendar,
    year: int,
    finding_offset: int,
    rng: np.random.Generator,
) -> _Chunk:
    """One chunk's delivery records, its rows of the answer key, and its findings."""
    builder = _ChunkBuilder(body, unit, registry, calendar, rng)
    builder.place(counts)
    builder.choose_services()
    builder.schedule()
    builder.clock()
    builder.refusals()
    builder.documents()
    builder.signers()
    deliveries = builder.table(year)
    return _Chunk(deliveries, builder.answer_key(), builder.findings(year, finding_offset))


# --- Files ---------------------------------------------------------------------------------

# Columns with few distinct values, dictionary-encoded; ids and times are written plain.
_DICTIONARY_COLUMNS: Final = (
    "service_code",
    "provider_body",
    "provider_unit",
    "channel",
    "form",
    "documents_requested",
    "documents_submitted",
    "review_documents_requested",
    "queue_list",
    "decision",
    "refusal_reasons",
    "refusal_legal_basis",
    "signed_by",
    "employee_id",
    "period",
    "source_file",
)
_SOURCE_FILE: Final = "synthetic"


class _Writers:
    """Parquet writers for one layout: a store partition per kind and body; one import
    file per kind; or, ``monthly``, the deliveries in one import file per month of
    submission and the other kinds in one each. Numbers the rows of each kind as an import
    file would."""

    def __init__(self, out: Path, year: int, layout: Layout) -> None:
        self.out = out
        self.year = year
        self.layout = layout
        self.rows: dict[str, int] = {}
        self.open: dict[tuple[str, str], pq.ParquetWriter] = {}
        self.files: list[Path] = []
        # In the store layout each kind's year is one atomic run of the store, published
        # when every file is written (``close``), dropped if the synthesis fails.
        self.store = RecordStore(out)
        self.runs = ExitStack()
        self.folders: dict[str, tuple[StoreRun, Path]] = {}
        # The store's ingest time: when the data for the year is due (20 January).
        self.ingested_at = pa.scalar(datetime(year + 1, 1, 20), pa.timestamp("us"))

    def _schema(self, kind: RecordKind) -> pa.Schema:
        return kind.arrow_schema() if self.layout == "store" else kind.record_schema()

    def _monthly(self, kind: RecordKind) -> bool:
        return self.layout == "monthly" and kind is DELIVERIES

    def _writer(self, kind: RecordKind, body: str) -> pq.ParquetWriter:
        """The writer of ``body``'s partition (store), of the month ``body`` (monthly
        deliveries), or of the kind's one import file."""
        key = (kind.name, body if self.layout == "store" or self._monthly(kind) else "")
        if key not in self.open:
            if self.layout == "store":
                if kind.name not in self.folders:
                    run = self.runs.enter_context(
                        self.store.run(kind, Period.parse(str(self.year)))
                    )
                    self.folders[kind.name] = (run, run.replace_all())
                path = self.folders[kind.name][1] / f"{body}.parquet"
                published = self.store.partition(kind, Period.parse(str(self.year)), body)
            elif self._monthly(kind):
                path = published = self.out / f"{kind.name}-{self.year}-{body}.parquet"
            else:
                path = published = self.out / f"{kind.name}-{self.year}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            schema = self._schema(kind)
            dictionary = [c for c in _DICTIONARY_COLUMNS if c in schema.names]
            self.open[key] = pq.ParquetWriter(
                path, schema, compression="zstd", use_dictionary=dictionary
            )
            self.files.append(published)
        return self.open[key]

    def write(self, kind: RecordKind, body: str, table: pa.Table) -> None:
        """Append ``table`` (records of ``kind``) to the file of ``body`` (or of the kind)."""
        first = self.rows.get(kind.name, 0)
        self.rows[kind.name] = first + table.num_rows
        if self.layout == "store":
            if table.num_rows == 0:
                return
            n = table.num_rows
            rows = np.arange(first + 1, first + n + 1, dtype=np.int64)
            table = (
                table.append_column("period", pa.repeat(str(self.year), n))
                .append_column("source_file", pa.repeat(_SOURCE_FILE, n))
                .append_column("source_row", pa.array(rows))
                .append_column("ingested_at", pa.repeat(self.ingested_at, n))
            )
        if self._monthly(kind):
            months = pc.month(table.column(kind.dated_by))
            for month in range(1, 13):
                part = table.filter(pc.equal(months, month))
                if part.num_rows:
                    self._writer(kind, f"{month:02d}").write_table(part.cast(self._schema(kind)))
            return
        self._writer(kind, body).write_table(table.cast(self._schema(kind)))

    def start(self, kinds: Sequence[RecordKind]) -> None:
        """Open the import files of ``kinds`` at once, so that each exists even if empty."""
        if self.layout == "store":
            return
        for kind in kinds:
            for part in [f"{m:02d}" for m in range(1, 13)] if self._monthly(kind) else [""]:
                self._writer(kind, part)

    def finish_body(self, body: str) -> None:
        """Close the store partitions of ``body``."""
        for key in [k for k in self.open if k[1] == body]:
            self.open.pop(key).close()

    def close(self) -> tuple[Path, ...]:
        """Close every file and publish the store's runs; returns the files written (where
        readers find them), in order."""
        for writer in self.open.values():
            writer.close()
        self.open.clear()
        for run, _ in self.folders.values():
            run.finish_files()
        self.runs.close()
        return tuple(sorted(self.files))

    def abort(self) -> None:
        """Drop what was written: the store's runs publish nothing."""
        for writer in self.open.values():
            writer.close()
        self.open.clear()
        error = RuntimeError("the synthesis failed")
        self.runs.__exit__(RuntimeError, error, None)


def synthesize_services(
    year: int,
    scale: float,
    seed: int,
    out: Path,
    *,
    layout: Layout = "store",
    on_body: Callable[[str, int, int], None] | None = None,
) -> ServicesSynthesis:
    """Write a synthetic year of public services to ``out``; returns what was written.

    ``round(292.5 M · scale)`` deliveries over the 49 bodies, 94 % of them electronic;
    ``round(347,600 · scale)`` violations on the akimats and ``round(130,700 · scale)`` on
    the central bodies, 30.7 % of them of the deadline types, one per violating record
    (every type at least once when the total allows); every other record is clean. With
    ``layout="store"`` the files form a data home (``out/store/<kind>/<year>/<body>.parquet``
    as ``RecordStore`` reads them); with ``layout="import"`` they are the import files
    ``out/<kind>-<year>.parquet``; with ``layout="monthly"`` the same, except that the
    deliveries are twelve files ``out/deliveries-<year>-<MM>.parquet`` by the month they
    were submitted in, as a year delivered month by month would be. The plan is written to
    ``out/plan/planned-violations-<year>.parquet``. ``on_body(body, index, total)`` is
    called after each body. Same arguments, same bytes.

    Rounding keeps every total exact: each published figure times ``scale`` is rounded
    with ``round``, the deadline violations are ``round(0.307 · total)``; within the
    deadline group and within the rest each type first gets one violation when the group
    holds at least one per type, and the remainder is shared by weight; the levels'
    shares of each type, and every split over bodies and chunks, go by largest remainder.

    Raises ValueError for a non-positive scale, an unknown layout, or a scale so small
    that the planned violations do not fit the records.
    """
    if scale <= 0:
        raise ValueError("the scale must be positive")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}: {', '.join(LAYOUTS)}")
    targets = TARGETS_2025
    registry = _build_registry(seed, targets)
    calendar = _Calendar(year)
    plans, units = _body_plans(registry, targets, scale)
    by_level = _type_plan(targets, scale)
    allocation = _allocate(units, plans, by_level)
    ids = list(load_catalogue().ids())
    per_body = np.zeros(len(plans), np.int64)
    np.add.at(per_body, [u.body for u in units], allocation.sum(axis=0))
    measures = plan_measures(
        [p.body.code for p in plans],
        per_body,
        year,
        calendar.epoch_day + calendar.year_start,
        calendar.epoch_day + calendar.year_end,
        scale,
        seed,
    )

    writers = _Writers(out, year, layout)
    try:
        writers.start(
            (SERVICES, STAFF, LEAVES, SIGNING_AUTHORITY, DELIVERIES, FINDINGS, *CONTROL_KINDS)
        )
        services = registry.table
        body_column = services.column("provider_body")
        for plan in plans:
            mine = services.filter(pc.equal(body_column, plan.body.code))
            writers.write(SERVICES, plan.body.code, mine)
        plan_path = out / "plan" / f"planned-violations-{year}.parquet"
        plan_path.parent.mkdir(parents=True, exist_ok=True)
        by_channel = dict.fromkeys(_CHANNELS, 0)
        staff_of: list[pa.Table] = []
        planned_of: list[pa.Table] = []
        with pq.ParquetWriter(plan_path, _PLAN_SCHEMA, compression="zstd") as plan_writer:
            for plan in plans:
                code = plan.body.code
                staff = _build_staff(plan.body, plan.index, calendar, seed, year)
                staff_of.append(staff.table)
                planned: list[pa.Table] = []
                writers.write(STAFF, code, staff.table)
                writers.write(LEAVES, code, staff.leaves)
                writers.write(SIGNING_AUTHORITY, code, staff.authorities)
                body = _Body(plan, registry, calendar, staff, measures[plan.index], seed)
                findings: list[pa.Table] = []
                found = 0
                for number, unit in enumerate(units):
                    if unit.body != plan.index:
                        continue
                    rng = np.random.default_rng([seed, 2, plan.index, unit.chunk])
                    chunk = _chunk(
                        body, unit, allocation[:, number], registry, calendar, year, found, rng
                    )
                    writers.write(DELIVERIES, code, chunk.deliveries)
                    plan_writer.write_table(chunk.plan)
                    planned.append(chunk.plan)
                    findings.append(chunk.findings)
                    found += chunk.findings.num_rows
                    by_channel["egov"] += unit.egov
                    by_channel["state_corp"] += unit.state_corp
                    by_channel["provider"] += unit.provider
                    del chunk
                if findings:
                    writers.write(FINDINGS, code, pa.concat_tables(findings))
                planned_of.append(
                    pa.concat_tables(planned) if planned else _PLAN_SCHEMA.empty_table()
                )
                writers.finish_body(code)
                if on_body is not None:
                    on_body(code, plan.index + 1, len(plans))
        # What the control measures did about the violations: once every body's are known.
        rules = [rules_of(planned, services) for planned in planned_of]
        control = plan_control(rules, year, scale)
        last_day = calendar.epoch_day + calendar.year_end
        for plan in plans:
            records = control_records(
                plan.index,
                plan.body.code,
                measures[plan.index],
                planned_of[plan.index],
                rules[plan.index],
                staff_of[plan.index],
                control,
                year,
                last_day,
                seed,
            )
            for kind, table in records.items():
                writers.write(kind, plan.body.code, table)
            writers.finish_body(plan.body.code)
    except BaseException:
        writers.abort()
        raise
    files = writers.close()

    planned_by_level_and_type = {
        level.value: dict(counts) for level, counts in sorted(by_level.items())
    }
    return ServicesSynthesis(
        home=out,
        layout=layout,
        year=year,
        files=files,
        plan=plan_path,
        deliveries=sum(p.deliveries for p in plans),
        electronic=by_channel["egov"],
        deliveries_by_channel=by_channel,
        deliveries_by_body={p.body.code: p.deliveries for p in plans},
        planned_by_type={i: int(allocation[row].sum()) for row, i in enumerate(ids)},
        planned_by_level={
            level: sum(counts.values()) for level, counts in planned_by_level_and_type.items()
        },
        planned_by_level_and_type=planned_by_level_and_type,
        services=services.num_rows,
        staff=writers.rows.get(STAFF.name, 0),
        leaves=writers.rows.get(LEAVES.name, 0),
        findings=writers.rows.get(FINDINGS.name, 0),
        control={kind.name: writers.rows.get(kind.name, 0) for kind in CONTROL_KINDS},
        fines_mci=int(10 * control.fined_10.sum() + 30 * control.fined_30.sum()),
    )
