"""Region enumeration split into subtree tasks (exactnet.relu.subtrees) gives the serial answer.

In-process executors only (the Dask runs are in tests/distributed/): the split path with any
plan size and any finishing order of the tasks yields the same regions in the same order, the
same first witness and cell count, and byte-identical region-tree certificates, which check.
"""

from __future__ import annotations

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.check import check_certificate
from exactnet.distributed import SerialExecutor
from exactnet.network.domain import Box
from exactnet.relu.equivalence import equivalent
from exactnet.relu.regions import OpenSubtree, Region, list_regions, walk
from exactnet.relu.functional_dimension import functional_dimension
from exactnet.relu.subtrees import list_regions_on, pack_region, plan, regions_on, renumber, stitch, unpack_region

from .nets import random_moves, random_net


class Shuffled:
    """Runs the tasks in this process in a random order, as a cluster may finish them."""

    def __init__(self, workers: int, seed: int):
        self.workers, self.rnd = workers, random.Random(seed)

    def prepare(self, setup):
        setup()

    def run(self, fn, tasks, deadline=None, shared=None):
        order = list(range(len(tasks)))
        self.rnd.shuffle(order)
        for i in order:
            yield i, fn(tasks[i]) if shared is None else fn(tasks[i], shared)


WIDTHS = [(2, 5, 4, 1), (3, 4, 3, 2), (2, 6, 1), (1, 3, 3, 1)]


def _cert_bytes(res) -> str:
    return json.dumps(res.certificate, sort_keys=True)


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(WIDTHS), st.integers(1, 5))
def test_split_listing_is_the_serial_listing(seed, widths, workers):
    rnd = random.Random(seed)
    net = random_net(rnd, widths)
    serial = list_regions([net], keep=None)
    split = list_regions_on(Shuffled(workers, seed), [net], keep=None)
    assert (split.count, split.complete, split.degenerate) == (serial.count, serial.complete, serial.degenerate)
    assert split.regions == serial.regions
    assert [r.point for r in split.regions] == [r.point for r in serial.regions]
    for limit in {1, 2, serial.count - 1, serial.count, serial.count + 1} - {0}:
        a = list_regions([net], limit=limit, keep=3)
        b = list_regions_on(Shuffled(workers, seed + limit), [net], limit=limit, keep=3)
        assert (a.count, a.complete, a.degenerate, a.regions) == (b.count, b.complete, b.degenerate, b.regions)


def test_the_plan_partitions_the_tree():
    """Regions above the cut plus the open subtrees' regions are every region, each once."""
    net = random_net(random.Random(3), (2, 6, 5, 1))
    everything = list(walk([net]))
    p = plan([net], None, workers=2, per_worker=4)
    assert p.open and len(p.open) >= 8
    out = []
    for item in p.items:
        if isinstance(item, Region):
            out.append(item)
        else:
            sub = list(walk([net], prefix=item.path))
            assert sub, "an open subtree holds at least one region"
            out.extend(sub)
    assert out == everything
    # the subtrees are disjoint: a region's pattern fixes its path
    assert len({r.pattern for r in out}) == len(out)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(WIDTHS[:3]), st.integers(1, 4))
def test_split_tier_d_certificate_is_byte_identical(seed, widths, workers):
    rnd = random.Random(seed)
    a = random_net(rnd, widths)
    b = random_moves(a, rnd)
    serial = equivalent(a, b, certificate=True, tiers="d")
    split = equivalent(a, b, certificate=True, tiers="d", executor=Shuffled(workers, seed))
    assert serial.equivalent is True and split.equivalent is True
    assert split.stats == serial.stats
    assert _cert_bytes(split) == _cert_bytes(serial)
    assert check_certificate(split.certificate).valid


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(WIDTHS[:3]))
def test_split_tier_d_finds_the_serial_witness(seed, widths):
    rnd = random.Random(seed)
    a, b = random_net(rnd, widths), random_net(rnd, widths)
    serial = equivalent(a, b, certificate=True, tiers="d")
    split = equivalent(a, b, certificate=True, tiers="d", executor=Shuffled(3, seed))
    assert split.equivalent is serial.equivalent is False
    assert split.witness == serial.witness and split.stats == serial.stats
    assert _cert_bytes(split) == _cert_bytes(serial)
    assert check_certificate(split.certificate).valid


def test_a_late_difference_is_found_in_a_later_subtree():
    """``b`` is ``a`` plus the unit ``relu(x1 − 100)``, while ``a``'s first unit ``relu(50 − x1)``
    sends every region with ``x1 < 50`` (visited first) to the positive side: the networks
    differ only in later subtrees, and the split run's witness and cell count are the serial ones
    (the first differing cell in serial order, not the first task to finish)."""
    from .nets import net_from

    rnd = random.Random(11)
    W = [[-1, 0]] + [[rnd.randint(-9, 9), rnd.randint(-9, 9)] for _ in range(6)]
    bias = [50] + [rnd.randint(-9, 9) for _ in range(6)]
    out = [[rnd.randint(-5, 5) or 1 for _ in range(7)]]
    a = net_from([(W, bias), (out, [0])])
    b = net_from([(W + [[1, 0]], bias + [-100]), ([out[0] + [1]], [0])])
    serial = equivalent(a, b, tiers="d")
    assert serial.equivalent is False and serial.stats["cells"] > 1
    for workers in (1, 2, 4):
        split = equivalent(a, b, tiers="d", executor=Shuffled(workers, workers))
        assert (split.witness, split.stats) == (serial.witness, serial.stats)
    assert serial.witness[0] > 100


def test_split_with_a_domain():
    rnd = random.Random(7)
    a = random_net(rnd, (2, 5, 4, 1))
    b = random_moves(a, rnd)
    box = Box.from_bounds((-2, -1), (3, 2))
    serial = equivalent(a, b, box, certificate=True, tiers="d")
    split = equivalent(a, b, box, certificate=True, tiers="d", executor=SerialExecutor())
    assert _cert_bytes(split) == _cert_bytes(serial) and check_certificate(split.certificate).valid
    assert list_regions_on(Shuffled(2, 0), [a], box, keep=None).regions == list_regions([a], box, keep=None).regions


def test_renumber_is_the_serial_allocation_order():
    # a tree numbered breadth first: 0 → (1, 2), 1 → (3, 4); serial order allocates 0, 1, 2, 3, 4
    # when 1 is the positive child; with the children swapped the ids follow the positive side
    nodes = [{"children": [2, 1]}, {"leaf": "b"}, {"children": [3, 4]}, {"leaf": "c"}, {"leaf": "d"}]
    out = renumber(nodes)
    assert out == [{"children": [1, 2]}, {"children": [3, 4]}, {"leaf": "b"}, {"leaf": "c"}, {"leaf": "d"}]


def test_stitch_replaces_open_nodes_by_subtrees():
    top = [{"fix": [], "children": [1, 2]}, {"fix": []}, {"fix": [], "leaf": "N"}]
    sub = [{"fix": [], "children": [1, 2]}, {"fix": ["x"], "children": [3, 4]}, {"fix": []},
           {"fix": [], "leaf": "PP"}, {"fix": [], "leaf": "PN"}]
    out = stitch(top, {(1,): sub})
    assert out == [{"fix": [], "children": [1, 2]}, {"fix": ["x"], "children": [3, 4]},
                   {"fix": [], "leaf": "N"}, {"fix": [], "leaf": "PP"}, {"fix": [], "leaf": "PN"}]


def test_packed_regions_round_trip():
    net = random_net(random.Random(5), (3, 4, 2))
    for r in walk([net]):
        back = unpack_region(pack_region(r))
        assert back == r and back.point == r.point


def test_open_subtree_names_its_path():
    net = random_net(random.Random(2), (2, 4, 1))
    items = list(walk([net], open_depth=1))
    opened = [it.path for it in items if isinstance(it, OpenSubtree)]
    assert opened == [(1,), (-1,)]  # the positive side first, as the serial walk visits it
    assert [r for r in walk([net], prefix=(1,))] + [r for r in walk([net], prefix=(-1,))] == list(walk([net]))


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(WIDTHS), st.integers(1, 4))
def test_streamed_regions_come_in_the_serial_order(seed, widths, workers):
    net = random_net(random.Random(seed), widths)
    for points in (True, False):
        streamed = list(regions_on(Shuffled(workers, seed), [net], points=points))
        assert streamed == list(walk([net], points=points))
    assert [r.point for r in regions_on(Shuffled(workers, seed), [net])] == [r.point for r in walk([net])]


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from([(2, 3, 3, 1), (3, 3, 2, 1), (2, 4, 1)]))
def test_functional_dimension_on_an_executor_is_the_serial_one(seed, widths):
    net = random_net(random.Random(seed), widths)
    keys = ("value", "lower_bound", "regions_used", "regions_in_basis", "regions_enumerated",
            "enumeration_complete", "degenerate_regions", "basis_patterns")
    serial = functional_dimension(net, probes=False, seed=1)
    split = functional_dimension(net, probes=False, seed=1, executor=Shuffled(3, seed))
    assert [getattr(split, k) for k in keys] == [getattr(serial, k) for k in keys]


def test_lp_cells_give_byte_identical_certificates_too():
    """Seven inputs: cells are held by LPs (HiGHS proposals verified exactly) instead of
    generators; the split run's certificate and interior points are still the serial ones."""
    rnd = random.Random(0)
    a = random_net(rnd, (7, 5, 4, 1))
    b = random_moves(a, rnd)
    serial = equivalent(a, b, certificate=True, tiers="d")
    split = equivalent(a, b, certificate=True, tiers="d", executor=Shuffled(3, 0))
    assert split.stats == serial.stats and _cert_bytes(split) == _cert_bytes(serial)
    one, two = list_regions([a], keep=None), list_regions_on(Shuffled(2, 0), [a], keep=None)
    assert one.regions == two.regions and [r.point for r in one.regions] == [r.point for r in two.regions]


def test_algebraic_weights_run_in_process_with_the_same_answer():
    """Real algebraic weights are not split into tasks: with an executor the work runs in this
    process (no task is given to the executor) and the answers are the serial ones."""
    from exactnet.network import Network

    class Refuses(Shuffled):
        def run(self, fn, tasks, deadline=None, shared=None):
            assert not tasks, "algebraic region work was sent to the executor"
            return iter(())

    a = Network.from_lists("relu", [([["sqrt(2)"], [1]], ["-1", "1/3"]), ([[1, -2]], [0])])
    b = Network.from_lists("relu", [([[1], ["sqrt(2)"]], ["1/3", "-1"]), ([[-2, 1]], [0])])
    ex = Refuses(2, 0)
    assert list_regions_on(ex, [a], keep=None).regions == list_regions([a], keep=None).regions
    assert list(regions_on(ex, [a])) == list(walk([a]))
    serial = equivalent(a, b, certificate=True, tiers="d")
    split = equivalent(a, b, certificate=True, tiers="d", executor=ex)
    assert split.equivalent is serial.equivalent is True and _cert_bytes(split) == _cert_bytes(serial)
