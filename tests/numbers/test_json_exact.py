"""The exact JSON reader: repeated keys refused at any depth, long integers kept exact, NaN refused."""

import json

import pytest
from flint import fmpq
from hypothesis import given
from hypothesis import strategies as st

from exactnet.errors import FormatError, NumberError
from exactnet.numbers.jsonfile import parse_json
from exactnet.numbers import DecimalLiteral, DuplicateKeyError, IntegerLiteral, json_loads_exact, number

keys = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6)
scalars = st.one_of(st.integers(-10**6, 10**6), st.booleans(), st.none(), st.text(max_size=5))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(keys, inner, max_size=3)), max_leaves=12)


def _paths_to_objects(doc, path=()):
    if isinstance(doc, dict):
        yield path, doc
        for k, v in doc.items():
            yield from _paths_to_objects(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths_to_objects(v, path + (i,))


def _duplicate_first_key(text_obj: dict, key: str) -> str:
    """The JSON text of ``text_obj`` with ``key`` written twice (second value different)."""
    body = json.dumps(text_obj)
    return "{" + json.dumps(key) + ": \"shadow\", " + body[1:]


@given(documents, st.data())
def test_duplicate_keys_are_refused_at_any_depth(doc, data):
    text = json.dumps(doc)
    assert json_loads_exact(text) == json.loads(text)  # no duplicates: same document as json.loads
    objects = [(p, o) for p, o in _paths_to_objects(doc) if o]
    if not objects:
        return
    path, obj = data.draw(st.sampled_from(objects))
    key = data.draw(st.sampled_from(sorted(obj)))
    # rebuild the document with that object's key duplicated
    def rebuild(node, rest):
        if not rest:
            return _duplicate_first_key(node, key)
        head, tail = rest[0], rest[1:]
        if isinstance(node, dict):
            parts = [f"{json.dumps(k)}: {rebuild(v, tail) if k == head else json.dumps(v)}" for k, v in node.items()]
            return "{" + ", ".join(parts) + "}"
        parts = [rebuild(v, tail) if i == head else json.dumps(v) for i, v in enumerate(node)]
        return "[" + ", ".join(parts) + "]"
    hostile = rebuild(doc, path)
    with pytest.raises(DuplicateKeyError, match="duplicate key"):
        json_loads_exact(hostile)


def test_the_duplicated_key_is_named_and_the_source_given():
    with pytest.raises(FormatError, match=r"cert\.json: duplicate key 'claim'"):
        parse_json('{"claim": {"equivalent": false}, "claim": {"equivalent": true}}', "cert.json")


def test_long_integer_literals_are_exact():
    digits = "9" * 5000
    obj = json_loads_exact(f'{{"w": [{digits}, -{digits}, 3], "d": 0.1}}')
    big, neg, small = obj["w"]
    assert isinstance(big, IntegerLiteral) and number(big) == fmpq(10) ** 5000 - 1 and number(neg) == -number(big)
    assert small == 3 and type(small) is int
    assert isinstance(obj["d"], DecimalLiteral) and number(obj["d"]) == fmpq(1, 10)
    assert json.loads(json.dumps(obj))["w"][0] == digits  # written back as text, never an error


@pytest.mark.parametrize("text", ['[NaN]', '{"a": Infinity}', '[-Infinity]'])
def test_nonfinite_literals_are_refused(text):
    with pytest.raises(NumberError, match="not a finite number"):
        json_loads_exact(text)


def test_deep_nesting_is_a_clear_error():
    with pytest.raises(FormatError, match="nested too deeply"):
        parse_json("[" * 100_000 + "]" * 100_000, "deep.json")
