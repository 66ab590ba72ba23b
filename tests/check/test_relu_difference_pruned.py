"""Certified pruning: subtrees of a certified maximum-difference search closed by an exact interval
bound the checker recomputes. The bound is sound (checked at points), the search's and the
checker's computations agree, certificates check, and tampered ones do not."""

from __future__ import annotations

import copy
import json
import random

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.check import check_certificate
from exactnet.check.relu import RegionNet, layer_lists
from exactnet.check.relu_interval import node_bounds
from exactnet.network import Network, forward_exact
from exactnet.network.domain import Box
from exactnet.relu.certificates import epsilon_certificate, max_difference_certificate
from exactnet.relu.interval_bounds import interval_bounds
from exactnet.relu.max_difference import max_difference, within_epsilon
from exactnet.relu.symbolic_bounds import CompiledNet

q = fmpq


def _layers(widths, seed):
    r = random.Random(seed)
    return [([[q(r.randint(-8, 8), 8) for _ in range(widths[i])] for _ in range(widths[i + 1])],
             [q(r.randint(-4, 4), 8) for _ in range(widths[i + 1])]) for i in range(len(widths) - 1)]


def _pair(widths, seed, delta=q(1, 64)):
    la = _layers(widths, seed)
    lb = copy.deepcopy(la)
    lb[-1][0][0][0] += delta
    lb[0][0][-1][-1] -= delta / 2
    return Network.from_lists("relu", la), Network.from_lists("relu", lb)


def _json(obj):
    return json.loads(json.dumps(obj))


@pytest.fixture(scope="module")
def pruned():
    a, b = _pair([3, 8, 8, 3], 1)
    box = Box.from_bounds([0] * 3, [1] * 3)
    res = max_difference(a, b, box, certificate=True)
    full = max_difference(a, b, box, certificate=True, certified_pruning=False)
    cert = _json(max_difference_certificate(a, b, box, res.value, res.per_output, res.per_output_argmax,
                                            res.certificate_nodes))
    return a, b, box, res, full, cert


def test_pruned_certificates_check_and_are_smaller(pruned):
    a, b, box, res, full, cert = pruned
    assert res.value == full.value and res.per_output == full.per_output
    result = check_certificate(cert)
    assert result.valid and "closed by interval bounds" in result.reason
    assert res.stats["exact_lps"] < full.stats["exact_lps"]
    assert len(res.certificate_nodes) < len(full.certificate_nodes)
    assert any("leaf" not in nd and "split" not in nd for nd in res.certificate_nodes)


def test_tampered_pruned_certificates_do_not_check(pruned):
    a, b, box, res, full, cert = pruned
    nodes = cert["evidence"]["nodes"]
    terminal = next(i for i, nd in enumerate(nodes) if "leaf" not in nd and "split" not in nd)
    # a closed subtree loses one of its bounds
    c = copy.deepcopy(cert)
    c["evidence"]["nodes"][terminal]["bounded"] = c["evidence"]["nodes"][terminal]["bounded"][1:]
    assert not check_certificate(c).valid or _every_target_above(c, terminal)
    # the claimed maximum lowered below what the interval bounds prove
    c = copy.deepcopy(cert)
    k = max(range(3), key=lambda i: res.per_output[i])
    c["claim"]["per_output"] = [str(v / 2) for v in res.per_output]
    c["claim"]["max_abs_difference"] = str(res.value / 2)
    assert not check_certificate(c).valid
    # a leaf proof dropped (null) where no ancestor closed its target
    c = copy.deepcopy(cert)
    leaf = next(nd for nd in c["evidence"]["nodes"] if "leaf" in nd
                and any(p is not None for pair in nd["leaf"]["bounds"] for p in pair))
    for pair in leaf["leaf"]["bounds"]:
        for s in range(2):
            pair[s] = None
    assert not check_certificate(c).valid
    # a bound listed on the root of the unpruned tree (the root's interval bound is not tight)
    c = copy.deepcopy(cert)
    c["evidence"]["nodes"][0]["bounded"] = list(range(6))
    c["evidence"]["nodes"][0].pop("split", None)
    c["evidence"]["nodes"][0].pop("children", None)
    c["evidence"]["nodes"] = c["evidence"]["nodes"][:1]
    assert not check_certificate(c).valid
    del k


def _every_target_above(cert, terminal):  # pragma: no cover - only when a bound was listed twice
    return len(set(cert["evidence"]["nodes"][terminal]["bounded"])) == 6


def test_epsilon_certificate_closed_at_the_root():
    a, b = _pair([4, 12, 10, 3], 1)
    box = Box.from_bounds([0] * 4, [1] * 4)
    eps = q(1, 4)
    w = within_epsilon(a, b, box, eps, certificate=True, box_splitting=False)  # (a region tree)
    assert w.within is True
    cert = _json(epsilon_certificate(a, b, box, eps, True, nodes=w.certificate_nodes))
    assert check_certificate(cert).valid
    tight = copy.deepcopy(cert)
    tight["claim"]["eps"] = "1/1000000"
    assert not check_certificate(tight).valid


@st.composite
def _states(draw):
    """Two networks of the same widths, a box, a point of it, and labels of a prefix of the hidden
    units that hold at the point (so the point lies in the labelled cell)."""
    n = draw(st.integers(1, 3))
    widths = [n] + [draw(st.integers(1, 4)) for _ in range(draw(st.integers(1, 2)))] + [2]
    a, b = _pair(widths, draw(st.integers(0, 10 ** 6)), draw(st.sampled_from([q(0), q(1, 16), q(-1, 3)])))
    lower = [q(draw(st.integers(-4, 0)), 4) for _ in range(n)]
    upper = [lo + q(draw(st.integers(1, 4)), 4) for lo in lower]
    x = [lo + (hi - lo) * q(draw(st.integers(0, 8)), 8) for lo, hi in zip(lower, upper)]
    hidden = widths[1:-1]
    stop = draw(st.integers(0, sum(hidden)))
    return a, b, lower, upper, x, stop


def _signs(net, x):
    """The sign of every hidden preactivation at ``x`` (+1 / −1 / 0)."""
    out, v = [], list(x)
    for idx, layer in enumerate(net.layers[:-1]):
        z = [bias + sum((w * t for w, t in zip(row, v)), q(0)) for row, bias in zip(layer.weight, layer.bias)]
        out.append([1 if t > 0 else -1 if t < 0 else 0 for t in z])
        v = [max(t, q(0)) for t in z]
    return out


def _labels(net, x, stop):
    signs, labels, count = _signs(net, x), [], 0
    for layer in signs:
        row = []
        for s in layer:
            row.append(s if count < stop else None)
            count += 1
        labels.append(tuple(row))
    return tuple(labels)


def _checker_state(net, labels, n):
    st_ = RegionNet(layer_lists(net), n)
    for layer in labels:
        for unit, lab in enumerate(layer):
            if lab is None:
                return st_
            st_.decide(unit, lab, st_.form(unit))
    return st_


@settings(max_examples=150, deadline=None)
@given(_states())
def test_interval_bounds_hold_and_both_sides_agree(case):
    a, b, lower, upper, x, stop = case
    la, lb = _labels(a, x, stop), _labels(b, x, stop)
    ours = interval_bounds(CompiledNet.of(a), CompiledNet.of(b), la, lb, lower, upper)
    n = len(x)
    theirs = node_bounds(_checker_state(a, la, n), _checker_state(b, lb, n), lower, upper)
    assert ours == theirs
    d = [p - r for p, r in zip(forward_exact(a, x), forward_exact(b, x))]
    for (plus, minus), dk in zip(ours, d):
        assert dk <= plus and -dk <= minus
