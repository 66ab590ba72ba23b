"""The streamed region-tree certificates (``exactnet.certificate/2``, evidence
``region_tree_stream``) and their streaming checker :mod:`exactnet.check.relu_stream`.

Valid streams are written by the decider (tier d, with and without domains and reducing moves,
plain and gzip); each checks valid and agrees with the old ``/1`` certificate of the same pair.
Then the adversarial suite: records, proofs, supports, segments, splits, networks, claims and
domains are mutated, the trailer is resealed (a forger can recompute the digest), and every
stream that still checks valid must carry a true claim (:func:`oracle.claim_holds`, which uses the
deciders and exact evaluation, never the checker). Targeted tamperings — a proof's row index, a
decision's unit, a split, a dropped or duplicated record — are each shown to fail.
"""

from __future__ import annotations

import copy
import json
import random
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.check.oracle import claim_holds
from tests.check.test_adversarial import BOX2, I2, SLOW_OK, edit_claim, edit_farkas, edit_networks, edit_number, \
    edit_structure, relu

from exactnet.certificates import MalformedCertificate
from exactnet.certificates.stream import stream_lines, write_lines
from exactnet.check import check_file
from exactnet.network import Network
from exactnet.network.domain import Box
from exactnet.relu.equivalence import equivalent

DATA = Path(__file__).parent / "data"


def _hidden_pair():
    """A 2-3-3-1 network and a partner with hidden symmetries (opposite pairs, a constant unit, a
    dead unit): tier (b) reduces with moves, tier (d) decides."""
    a = Network.from_lists("relu", [
        ([["8560235/4194304", "-2679809/1048576"], ["14029069/33554432", "-9525593/16777216"], [-3, -1]],
         ["-13555897/67108864", "-1/5", "-1/7"]),
        ([[3, "1/5", "-1/3"], [-1, "-1/2", -1], ["-1/3", "2/5", "-1/5"]], ["1/10", "-1/50", "1/400"]),
        ([[1, "1/2", "-1/2"]], ["-1/50"])])
    layers = [([list(r) for r in L.weight], list(L.bias)) for L in a.layers]
    (W0, b0), (W1, b1), (W2, b2) = layers
    # two shifted opposite pairs: c(relu(ℓ−s1) − relu(s1−ℓ)) − c(relu(ℓ−s2) − relu(s2−ℓ)) = c(s2 − s1)
    from flint import fmpq

    u, s1, s2, c = [fmpq(1, 8), fmpq(1, 4)], fmpq(3, 16), fmpq(-1, 8), [fmpq(1, 2), fmpq(-1, 8), fmpq(1)]
    W0 = W0 + [u, [-v for v in u], u, [-v for v in u]]
    b0 = b0 + [-s1, s1, -s2, s2]
    W1 = [row + [cv, -cv, -cv, cv] for row, cv in zip(W1, c)]
    b1 = [bv - cv * (s2 - s1) for bv, cv in zip(b1, c)]
    b = Network.from_lists("relu", [(W0, b0), (W1, b1), (W2, b2)])
    return a, b


def _three_inputs_pair():
    """R^3 → R: the partner permutes and positively rescales the first hidden layer. Its tree uses
    supports of size 3 (the general adjugate), of size 1, and explicit Farkas proofs."""
    from flint import fmpq

    L0 = ([[1, 0, 1], [0, 1, -1], [1, 1, 0], [2, -1, 1], [1, -2, 1]], [0, 1, -1, 0, "1/2"])
    L1 = ([[1, -1, 2, 0, 1], [0, 1, 1, -1, -1], [1, 1, -1, 0, 2]], [0, 1, -1])
    L2 = ([[1, -2, 1]], [1])
    order, scale = [2, 0, 4, 1, 3], [fmpq(2), fmpq(1, 3), fmpq(1), fmpq(3), fmpq(1, 2)]
    W0 = [[fmpq(v) * scale[i] for v in L0[0][k]] for i, k in enumerate(order)]
    b0 = [fmpq(L0[1][k]) * scale[i] for i, k in enumerate(order)]
    W1 = [[fmpq(row[k]) / scale[i] for i, k in enumerate(order)] for row in L1[0]]
    return Network.from_lists("relu", [L0, L1, L2]), Network.from_lists("relu", [(W0, b0), (W1, L1[1]), L2])


PAIRS = {
    "three": lambda: _three_inputs_pair() + (None, "d"),
    "deep": lambda: (relu((I2, [0, 0]), ([[1, 2], [3, 1]], [1, 2]), ([[1, -1]], [0])),
                     relu((I2, [0, 0]), ([[4, 3], [3, 1]], [3, 2]), ([[1, -2]], [0])), None, "d"),
    "hidden": lambda: _hidden_pair() + (None, "abcd"),
    "hidden_box": lambda: _hidden_pair() + (Box.from_bounds([-1, -2], [2, 1]), "abcd"),
    "one_box": lambda: (relu(([[1]], [1]), ([[1]], [0])), relu(([[2]], [2]), ([["1/2"]], [0])),
                        Box.from_bounds(["-1/2"], [2]), "d"),
    "dead_box": lambda: (relu(([[1, 0], [0, 1], [1, 0]], [0, 0, -5]), ([[1, 1, 3], [1, -1, 2]], [0, 0]),
                              ([[1, 1]], [0])),
                         relu(([[1, 0], [0, 1]], [0, 0]), ([[1, 1], [1, -1]], [0, 0]), ([[1, 1]], [0])), BOX2, "d"),
}


@lru_cache(maxsize=None)
def _written(name: str, tmp: str, gz: bool = False):
    a, b, dom, tiers = PAIRS[name]()
    path = Path(tmp) / (name + (".jsonl.gz" if gz else ".jsonl"))
    res = equivalent(a, b, dom, certificate=True, certificate_stream=str(path), tiers=tiers)
    assert res.equivalent is True and res.tier == "d", res.reason
    assert res.certificate is None and res.certificate_file == str(path)
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return str(tmp_path_factory.mktemp("streams"))


@lru_cache(maxsize=None)
def _lines(name: str, tmp: str) -> tuple:
    return tuple(stream_lines(_written(name, tmp)))


@pytest.mark.parametrize("name", sorted(PAIRS))
@pytest.mark.parametrize("gz", [False, True])
def test_written_streams_check_valid(name, gz, store):
    path = _written(name, store, gz)
    assert not Path(str(path) + ".partial").exists()
    result = check_file(path)
    assert result.valid, result.reason
    assert result.kind == "relu.equivalence"
    a, b, dom, tiers = PAIRS[name]()
    old = equivalent(a, b, dom, certificate=True, tiers=tiers).certificate
    header = json.loads(stream_lines(path)[0])
    assert header["claim"] == old["claim"] and header["networks"] == old["networks"]
    assert header["evidence"]["moves"] == old["evidence"]["moves"]
    records = len(stream_lines(path)) - 2
    assert records == len(old["evidence"]["nodes"])  # one record per tree node


def test_gzip_and_plain_carry_the_same_lines(store):
    assert stream_lines(_written("hidden", store)) == stream_lines(_written("hidden", store, True))


def test_the_three_input_pair_uses_every_kind_of_proof(store):
    kinds = {len(e) if isinstance(e, list) else "explicit" for line in _lines("three", store)[1:-1]
             for e in json.loads(line)[0]}
    assert {1, 3, "explicit"} <= kinds, kinds


def test_the_hidden_pair_uses_reducing_moves(store):
    header = json.loads(_lines("hidden", store)[0])
    assert any(header["evidence"]["moves"]), "the pair should exercise the move replay"


def test_expected_networks_are_compared(store, tmp_path):
    from exactnet.check import check_file as check

    a, b, _, _ = PAIRS["deep"]()
    assert check(_written("deep", store), [a, b]).valid
    assert not check(_written("deep", store), [b, a]).valid


def test_a_stored_old_certificate_still_checks():
    """A ``/1`` region-tree certificate written before the streamed format (committed file)."""
    result = check_file(DATA / "region_tree_v1.json")
    assert result.valid, result.reason
    assert json.loads((DATA / "region_tree_v1.json").read_text())["format"] == "exactnet.certificate/1"


# ---------------------------------------------------------------------------------------------
# targeted tampering (trailer resealed: the mathematics must reject it)
# ---------------------------------------------------------------------------------------------


def _check_lines(tmp_path, lines, reseal=True):
    path = tmp_path / "t.jsonl"
    write_lines(path, list(lines), reseal=reseal)
    return check_file(path)


def _records(lines):
    return [json.loads(x) for x in lines[1:-1]]


def _with_records(lines, records):
    return [lines[0]] + [json.dumps(r, separators=(",", ":")) for r in records] + [lines[-1]]


def _first(records, pred):
    return next(i for i, r in enumerate(records) if pred(r))


def test_unchanged_resealed_stream_is_valid(store, tmp_path):
    assert _check_lines(tmp_path, _lines("hidden", store)).valid


def test_an_edit_without_resealing_fails_the_digest(store, tmp_path):
    lines = list(_lines("deep", store))
    lines[1] = lines[1].replace("[0,0]", "[0,1]", 1) if "[0,0]" in lines[1] else lines[1] + " "
    result = _check_lines(tmp_path, lines, reseal=False)
    assert not result.valid and "digest" in result.reason


@pytest.mark.parametrize("name", ["hidden", "hidden_box", "deep", "three"])
def test_a_support_naming_another_row_fails(name, store, tmp_path):
    lines = _lines(name, store)
    records = _records(lines)
    bad = 0
    for i, rec in enumerate(records):
        for p, entry in enumerate(rec[0]):
            if isinstance(entry, list):
                for shift in (1, -1):
                    mutated = copy.deepcopy(records)
                    mutated[i][0][p] = [(v + shift) % 7 for v in entry]
                    if mutated[i][0][p] == entry:
                        continue
                    try:
                        result = _check_lines(tmp_path, _with_records(lines, mutated))
                    except MalformedCertificate:
                        bad += 1
                        continue
                    # a different support may prove the same sign; a valid answer must still be true
                    bad += not result.valid
        if bad >= 5:
            break
    assert bad >= 1


@pytest.mark.parametrize("name", ["hidden", "deep", "dead_box", "three"])
def test_dropping_or_duplicating_a_record_fails(name, store, tmp_path):
    lines = _lines(name, store)
    records = _records(lines)
    for i in range(len(records)):
        dropped = records[:i] + records[i + 1:]
        assert not _check_lines(tmp_path, _with_records(lines, dropped)).valid
    assert not _check_lines(tmp_path, _with_records(lines, records + [records[-1]])).valid


@pytest.mark.parametrize("name", ["hidden", "deep"])
def test_changing_a_split_fails(name, store, tmp_path):
    lines = _lines(name, store)
    records = _records(lines)
    i = _first(records, lambda r: r[2] is not None)
    for change in ([1 - records[i][2][0], records[i][2][1]], [records[i][2][0], records[i][2][1] + 1], None):
        mutated = copy.deepcopy(records)
        mutated[i][2] = change
        try:
            assert not _check_lines(tmp_path, _with_records(lines, mutated)).valid
        except MalformedCertificate:
            pass


def test_a_decision_on_the_wrong_unit_or_without_proof_fails(store, tmp_path):
    lines = _lines("hidden", store)
    records = _records(lines)
    i = _first(records, lambda r: any(len(seg) >= 5 for seg in r[1]))
    s = _first(records[i][1], lambda seg: len(seg) >= 5)
    seg = records[i][1][s]
    for edit in ("swap_units", "no_proof", "other_proof"):
        mutated = copy.deepcopy(records)
        m = mutated[i][1][s]
        if edit == "swap_units":
            m[1], m[3] = m[3], m[1]
            if m[2] == m[4]:
                continue
        elif edit == "no_proof":
            m[2] = -1
        else:
            m[2] = len(records[i][0])  # a proof the node does not have
        assert not _check_lines(tmp_path, _with_records(lines, mutated)).valid, edit
    assert seg


def test_explicit_proofs_are_checked(store, tmp_path):
    """Replace a support by an explicit Farkas proof: a correct one checks, a wrong ``t`` or
    multiplier does not."""
    lines = _lines("deep", store)
    records = _records(lines)
    i = _first(records, lambda r: any(isinstance(e, list) and len(e) == 1 for e in r[0]))
    p = _first(records[i][0], lambda e: isinstance(e, list) and len(e) == 1)
    row = records[i][0][p][0]
    verdicts = []
    for y, t in ((1, 1), ("1/2", "1/2"), (1, 0), (-1, 1), (2, 1)):
        mutated = copy.deepcopy(records)
        mutated[i][0][p] = {"y": [[row, y]], "t": t}
        verdicts.append(_check_lines(tmp_path, _with_records(lines, mutated)).valid)
    # y = t: the row is the unit's own primitive row (valid); t = 0, y < 0 never; y = 2t only if
    # the (primitive) form is twice the row, which it is not
    assert verdicts[2] is False and verdicts[3] is False
    assert verdicts[0] == verdicts[1]


# ---------------------------------------------------------------------------------------------
# the adversarial property: a mutated stream that checks valid has a true claim
# ---------------------------------------------------------------------------------------------

EDITS = {"number": edit_number, "structure": edit_structure, "farkas": edit_farkas, "claim": edit_claim,
         "networks": edit_networks}


@lru_cache(maxsize=None)
def _pool_dir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="exactnet-streams-")


@lru_cache(maxsize=None)
def _pool(name: str) -> str:
    lines = stream_lines(_written(name, _pool_dir()))
    return json.dumps({"header": json.loads(lines[0]), "records": [json.loads(x) for x in lines[1:-1]]})


def _rewritten(obj: dict, path: Path) -> Path:
    lines = [json.dumps(obj["header"], separators=(",", ":"))]
    lines += [json.dumps(r, separators=(",", ":")) for r in obj["records"]]
    lines.append('{"end":{}}')
    write_lines(path, lines, compress=random.Random(len(lines)).random() < 0.3)
    return path


@SLOW_OK
@given(data=st.data())
def test_mutated_streams_never_check_valid_with_a_false_claim(data, tmp_path_factory):
    name = data.draw(st.sampled_from(sorted(PAIRS)))
    obj = json.loads(_pool(name))
    labels = [name]
    for _ in range(data.draw(st.integers(1, 3))):
        which = data.draw(st.sampled_from(sorted(EDITS)))
        if which in ("claim", "networks"):
            labels.append(EDITS[which](data, obj["header"]))
        else:
            labels.append(EDITS[which](data, obj))
    path = _rewritten(obj, tmp_path_factory.mktemp("m") / "m.jsonl")
    try:
        result = check_file(path)
    except MalformedCertificate:
        event("malformed")
        return
    if not result.valid:
        event("invalid")
        return
    truth = claim_holds(copy.deepcopy(obj["header"]))
    event(f"valid (claim {truth})")
    assert truth is not False, (labels, result.reason)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_a_false_claim_is_rejected_even_when_resealed(name, tmp_path):
    """Swap in a network that differs (one output bias + 1): the claim becomes false; the
    recomputed leaf maps differ, whatever the digest says."""
    obj = json.loads(_pool(name))
    from exactnet.numbers import parse_scalar

    bias = obj["header"]["networks"][1]["layers"][-1]["bias"]
    bias[0] = str(parse_scalar(str(bias[0])) + 1)
    assert claim_holds(copy.deepcopy(obj["header"])) is False
    result = check_file(_rewritten(obj, tmp_path / "f.jsonl"))
    assert not result.valid


def test_a_time_limit_leaves_no_file(tmp_path):
    """The writer starts before the enumeration; the time limit ends it and removes the partial file."""
    from exactnet.deadline import Deadline

    a, b, dom, _ = PAIRS["hidden"]()
    path = tmp_path / "late.jsonl"
    res = equivalent(a, b, certificate=True, certificate_stream=str(path), tiers="d", deadline=Deadline.after(0))
    assert res.equivalent is None and res.certificate_file is None
    assert list(tmp_path.iterdir()) == []


def test_a_counterexample_leaves_no_stream(tmp_path):
    a, _, _, _ = PAIRS["deep"]()
    c = relu((I2, [0, 0]), ([[4, 3], [3, 1]], [3, 2]), ([[1, -3]], [0]))
    path = tmp_path / "w.jsonl"
    res = equivalent(a, c, certificate=True, certificate_stream=str(path), tiers="d")
    assert res.equivalent is False and res.certificate["evidence"]["method"] == "witness"
    assert res.certificate_file is None and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("record", [
    {"proofs": []}, [[], []], [[], [], [0, 0, 0]], [[], [], [True, 0]], [[True], [], None],
    [[{"y": [[0, True]], "t": 1}], [], None], [[{"y": [[0, 1]], "t": 1, "x": 0}], [], None],
    [["0"], [], None], [[], [[0, 1]], None], [[], [[0, 1, False]], None], [[], [[0, 1, -1.5]], None],
])
def test_malformed_records_exit_2(record, store, tmp_path):
    lines = _lines("deep", store)
    with pytest.raises(MalformedCertificate):
        _check_lines(tmp_path, [lines[0], json.dumps(record)] + list(lines[2:]))


def test_algebraic_trees_stay_version_1(tmp_path):
    """The streamed encoding is rational; a tier-d proof over a number field is the in-memory /1
    certificate with field numbers (and checks), and no stream file is written."""
    from exactnet.check import check_certificate

    from tests.relu.test_algebraic import R, SCALES, planted

    a, b = planted(R, SCALES), R
    path = tmp_path / "alg.jsonl"
    res = equivalent(a, b, certificate=True, certificate_stream=str(path), tiers="d")
    assert res.equivalent is True and res.tier == "d"
    assert res.certificate_file is None and not path.exists()
    assert res.certificate["evidence"]["method"] == "region_tree"
    assert check_certificate(json.loads(json.dumps(res.certificate))).valid


@pytest.mark.parametrize("name", ["hidden", "three"])
def test_a_distributed_tree_streams_to_the_same_file(name, store, tmp_path):
    """With an executor the merged in-memory tree is written in the streamed encoding: the same
    records, byte for byte, as the serial stream (and the /1 tree of the same run converts to it)."""
    from tests.relu.test_subtrees import Shuffled

    a, b, dom, tiers = PAIRS[name]()
    path = tmp_path / "split.jsonl"
    res = equivalent(a, b, dom, certificate=True, certificate_stream=str(path), tiers=tiers, executor=Shuffled(3, 7))
    assert res.equivalent is True and res.certificate_file == str(path)
    assert check_file(path).valid
    assert stream_lines(path) == list(_lines(name, store))


def test_the_old_tree_converts_to_the_stream(store):
    from exactnet.relu.certificates import stream_records

    a, b, dom, tiers = PAIRS["three"]()
    old = equivalent(a, b, dom, certificate=True, tiers=tiers).certificate
    records = []
    stream_records(old["evidence"]["nodes"], records.append)
    assert [json.dumps(r, separators=(",", ":")) for r in records] == list(_lines("three", store))[1:-1]
