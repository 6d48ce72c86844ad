"""One rule for matching names: the Python fold and its Ibis twin agree on any text, and
every place that matches a name uses them."""

from __future__ import annotations

import ibis
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ashyq.bodies import load_bodies, normalise_name
from ashyq.names import fold, fold_expr
from ashyq.records.model import fold_choice

# What names are typed with: Russian and Kazakh letters (both cases, «ё»), Latin letters,
# digits, punctuation of names, and every kind of white space exports carry.
_ALPHABET = st.sampled_from(
    list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ")
    + list("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
    + list("abcxyzABCXYZ0159")
    + list("«»\"'-.,()/№")
    + list("\t\n\v\f\r \u00a0\u2007\u202f")
)
_TEXTS = st.lists(st.text(_ALPHABET, max_size=24), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS)
def test_the_engine_folds_as_python_does(texts: list[str]) -> None:
    con = ibis.duckdb.connect()
    table = ibis.memtable(pa.table({"text": pa.array(texts, pa.string())}))
    folded = con.to_pyarrow(table.select(folded=fold_expr(table.text))).column(0).to_pylist()
    con.disconnect()
    assert folded == [fold(text) for text in texts]


def test_bodies_and_choices_fold_by_the_one_rule() -> None:
    typed = "  Министерство\u00a0финансов\tРеспублики  Казахстан "
    assert normalise_name(typed) == fold_choice(typed) == fold(typed)
    assert fold("ЁЛКА  Ёлка") == "елка елка"
    registry = load_bodies()
    assert registry.resolve(typed).code == "mf"
    assert registry.resolve("мки").code == registry.resolve("МКИ").code
