"""What a top-1 search stopped by the time limit reports (:class:`exactnet.relu.top1.Top1Progress`).

The time limit is simulated by a deadline that expires after a fixed number of checks, so the
reports are reproducible."""

from __future__ import annotations

import json

from flint import fmpq

from exactnet.deadline import TimeLimitReached
from exactnet.network import Layer, Network, forward_exact
from exactnet.network.argmax import exact_argmax
from exactnet.network.domain import Box
from exactnet.network.finite_domain import FiniteDomain
from exactnet.relu.top1 import top1_equivalent

from ..cli.hostile.clirun import run
from ..cli.hostile.nets import relu_obj
from exactnet.network.jsonio import network_from_obj


class CountingDeadline:
    """Expires at the ``limit``-th call of :meth:`check`."""

    def __init__(self, limit: int):
        self.limit, self.calls = limit, 0

    def check(self, what: str = "the computation") -> None:
        self.calls += 1
        if self.calls >= self.limit:
            raise TimeLimitReached(f"time limit reached during {what}")

    def expired(self) -> bool:
        return self.calls >= self.limit

    def remaining(self):
        return None


def _bumped_pair():
    """``A`` (5-4-2) and ``B`` = ``A`` with one more hidden unit ``relu(Σx − 14)`` that moves ``B``'s
    outputs by ±100: on ``{0,1,2,3}^5`` it is non-zero only at the last point ``(3,3,3,3,3)``
    (lexicographic order), where it flips ``B``'s class away from ``A``'s."""
    a = network_from_obj(relu_obj([5, 4, 2], seed=3))
    last = [fmpq(3)] * 5
    ca = exact_argmax(forward_exact(a, last))[0]
    push = [fmpq(-100), fmpq(100)] if ca == 0 else [fmpq(100), fmpq(-100)]
    h, out = a.layers
    hidden = Layer(tuple(h.weight) + ((fmpq(1),) * 5,), tuple(h.bias) + (fmpq(-14),))
    output = Layer(tuple(tuple(row) + (p,) for row, p in zip(out.weight, push)), out.bias)
    return a, Network("relu", (hidden, output))


def test_finite_domain_reports_the_points_checked():
    a, b = _bumped_pair()
    dom = FiniteDomain.cube([fmpq(v) for v in range(4)], 5)
    full = top1_equivalent(a, b, dom)
    assert full.equivalent is False and list(full.witness) == [fmpq(3)] * 5
    stopped = top1_equivalent(a, b, dom, deadline=CountingDeadline(3))  # two chunks of 256 points checked
    assert stopped.equivalent is None
    p = stopped.progress
    assert p.measure == "points" and p.agreed_fraction == fmpq(1, 2)
    assert "512 of the 1024 points" in stopped.reason
    # the claim is true: the classes agree at the first 512 points
    for x in list(dom.points())[:512]:
        assert exact_argmax(forward_exact(a, x))[0] == exact_argmax(forward_exact(b, x))[0]


def _scaled_pair():
    """``B``'s outputs are ``2·A + 1``: the same class everywhere (ties included), proved only by search."""
    obj = relu_obj([3, 12, 12, 12, 3], seed=7)
    b = json.loads(json.dumps(obj))
    last = b["layers"][-1]
    last["weight"] = [[2 * v for v in row] for row in last["weight"]]
    last["bias"] = [2 * v + 1 for v in last["bias"]]
    return obj, b


def test_box_splitting_reports_an_exact_share_of_the_volume():
    oa, ob = _scaled_pair()
    a, b = network_from_obj(oa), network_from_obj(ob)
    box = Box.from_bounds([-1] * 3, [1] * 3)
    shares = []
    for limit in (40, 160, 640):
        res = top1_equivalent(a, b, box, deadline=CountingDeadline(limit))
        assert res.equivalent is None, res.reason
        p = res.progress
        assert p.measure == "volume" and p.open_boxes > 0 and p.parts == 1
        assert 0 <= p.agreed_fraction < 1
        # sub-boxes come from halvings of [-1, 1]^3: the share is a dyadic rational
        q = int(p.agreed_fraction.q)
        assert q & (q - 1) == 0
        assert "share" in res.reason and "sub-boxes open" in res.reason
        shares.append(p.agreed_fraction)
    assert shares == sorted(shares) and shares[-1] > 0


def test_region_search_has_no_volume_but_counts_regions():
    """Sixty-four inputs: no input splitting; the report counts regions, and gives no share."""
    a = network_from_obj(relu_obj([64, 6, 3], seed=2))
    ob = relu_obj([64, 6, 3], seed=2)
    ob["layers"][-1]["weight"] = [[3 * v for v in row] for row in ob["layers"][-1]["weight"]]
    ob["layers"][-1]["bias"] = [3 * v for v in ob["layers"][-1]["bias"]]
    b = network_from_obj(ob)
    res = top1_equivalent(a, b, Box.from_bounds([0] * 64, [1] * 64), deadline=CountingDeadline(6))
    assert res.equivalent is None
    p = res.progress
    assert p.agreed_fraction is None and p.measure is None and p.open_boxes == 0 and p.open_regions > 0
    assert "regions proved" in res.reason
    assert top1_equivalent(a, b, Box.from_bounds([0] * 64, [1] * 64)).equivalent is True  # B = 3·A: same class


def test_cli_top1_time_limit_reports_what_is_known(tmp_path):
    oa, ob = _scaled_pair()
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_text(json.dumps(oa))
    pb.write_text(json.dumps(ob))
    r = run("equiv", pa, pb, "--box=-1,1", "--top1", "--json", "--timeout", "3")
    assert r.code == 3, (r.code, r.err)
    d = r.json
    assert d["equivalent"] is None and d["time_limit_reached"] is True
    if "proved_so_far" in d:  # absent only when the alarm stage had to interrupt the search
        p = d["proved_so_far"]
        assert set(p) == {"agreed_fraction", "agreed_measure", "open_boxes", "open_regions", "closed_regions",
                          "parts_done", "parts"}
        if p["agreed_fraction"] is not None:
            assert p["agreed_measure"] == "volume" and 0 <= fmpq(p["agreed_fraction"]) < 1
