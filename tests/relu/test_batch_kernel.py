"""Batch rank at data scale (docs/relu-functional-dimension.md § Batch rank at data scale): the verified
kernel vectors, their exact forward-mode check, and the certified value against an independent
exact rational rank of the stacked Jacobians (``jacobian_at``, FLINT ``fmpq_mat``)."""

import random

from flint import fmpq, fmpq_mat
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.deadline import Deadline
from exactnet.relu.batch_kernel import batch_forward, kernel_pivots, known_kernel, verify_kernel
from exactnet.relu.functional_dimension import BATCH_KERNEL, batch_functional_dimension
from exactnet.relu.jacobian import compile_network, jacobian_at, preactivation_signs

from .nets import net_from, random_net


def _jacobian(net, pts):
    return [r for x in pts for r in jacobian_at(net, x)]


def _rank(rows) -> int:
    return fmpq_mat(len(rows), len(rows[0]), [v for r in rows for v in r]).rank() if rows else 0


def _annihilates(rows, v: dict) -> bool:
    """``J v = 0``, computed independently of the library's forward mode (exact rationals)."""
    return all(sum((r[q] * c for q, c in v.items()), fmpq(0)) == 0 for r in rows)


def _smooth(cnet, x) -> bool:
    return all(v != 0 for layer in preactivation_signs(cnet, x) for v in layer)


def _case(seed: int, *, zero_input: bool, dead: bool, sparse: bool, repeat: bool):
    """A small random network and a batch with more rows than ``D − N_hid`` (the kernel regime)."""
    rnd = random.Random(seed)
    widths = [rnd.randint(2, 4), rnd.randint(2, 4), rnd.randint(1, 3), rnd.randint(1, 2)]
    net = random_net(rnd, widths)
    if dead:  # a hidden neuron negative at every input of the batch below (|x_i| <= 8)
        layers = [([list(r) for r in layer.weight], list(layer.bias)) for layer in net.layers]
        li = rnd.randrange(2)
        j = rnd.randrange(widths[li + 1])
        layers[li][0][j] = [fmpq(rnd.randint(-1, 1), 8) for _ in range(widths[li])]
        layers[li][1][j] = fmpq(-10**6)
        net = net_from(layers)
    cnet = compile_network(net)
    D = net.num_parameters
    bound = D - sum(widths[1:-1])
    want = bound // widths[-1] + rnd.randint(2, 8)
    pts = []
    for _ in range(60 * want):
        x = [fmpq(rnd.randint(-8, 8), rnd.randint(1, 3)) for _ in range(widths[0])]
        if sparse:  # rarely non-zero inputs: the sparse column clusters
            x = [v if k == 0 or rnd.random() < 0.15 else fmpq(0) for k, v in enumerate(x)]
        if zero_input:
            x[-1] = fmpq(0)
        if _smooth(cnet, x):
            pts.append(tuple(x))
            if repeat and rnd.random() < 0.3:
                pts.append(tuple(x))
            if len(pts) >= want:
                break
    return net, cnet, pts


flags = dict(seed=st.integers(0, 10**6), zero_input=st.booleans(), dead=st.booleans(), sparse=st.booleans(),
             repeat=st.booleans())


@settings(max_examples=40, deadline=None)
@given(**flags)
def test_certified_batch_rank_equals_the_exact_rational_rank(seed, zero_input, dead, sparse, repeat):
    net, cnet, pts = _case(seed, zero_input=zero_input, dead=dead, sparse=sparse, repeat=repeat)
    res = batch_functional_dimension(net, pts, seed=seed)
    J = _jacobian(net, pts)
    assert res.value == _rank(J) == res.lower == res.upper
    assert res.points == len(pts)
    if res.certified_by == BATCH_KERNEL:  # the verified bound was met: D minus the removed columns
        assert res.value == net.num_parameters - res.kernel_rank


@settings(max_examples=30, deadline=None)
@given(**flags)
def test_known_kernel_vectors_are_in_the_exact_kernel_and_drop_columns_without_changing_the_rank(
        seed, zero_input, dead, sparse, repeat):
    net, cnet, pts = _case(seed, zero_input=zero_input, dead=dead, sparse=sparse, repeat=repeat)
    if not pts:
        return
    fwd = batch_forward(cnet, pts)
    proposed, families = known_kernel(fwd)
    assert len(families) == len(proposed) and families.count("scaling") == sum(net.hidden_widths)
    J = _jacobian(net, pts)
    vectors = [v for v, f in zip(proposed, families) if f != "nearly co-active neurons"]  # theorems
    assert verify_kernel(fwd, vectors) is None
    assert all(_annihilates(J, v) for v in vectors)
    for v, f in zip(proposed, families):  # proposals: kept exactly when they are in the kernel
        if f == "nearly co-active neurons":
            assert (verify_kernel(fwd, [v]) is None) == _annihilates(J, v)
            if _annihilates(J, v):
                vectors.append(v)
    pivots = set(kernel_pivots(vectors, net.num_parameters, 2**61 - 1))
    rest = [c for c in range(net.num_parameters) if c not in pivots]
    assert _rank([[r[c] for c in rest] for r in J]) == _rank(J)  # the dropped columns are combinations


@settings(max_examples=40, deadline=None)
@given(**flags, which=st.integers(0, 10**6), delta=st.integers(1, 5))
def test_a_tampered_kernel_vector_is_detected_exactly_when_it_leaves_the_kernel(
        seed, zero_input, dead, sparse, repeat, which, delta):
    net, cnet, pts = _case(seed, zero_input=zero_input, dead=dead, sparse=sparse, repeat=repeat)
    if not pts:
        return
    fwd = batch_forward(cnet, pts)
    vectors = [v for v, f in zip(*known_kernel(fwd)) if f != "nearly co-active neurons"]
    rnd = random.Random(which)
    k = rnd.randrange(len(vectors))
    tampered = dict(vectors[k])
    q = rnd.randrange(net.num_parameters)
    tampered[q] = tampered.get(q, 0) + delta
    in_kernel = _annihilates(_jacobian(net, pts), tampered)
    got = verify_kernel(fwd, vectors[:k] + [tampered] + vectors[k + 1:])
    assert got == (None if in_kernel else k)


def test_a_tampered_scaling_vector_is_detected():
    rnd = random.Random(1)
    net = random_net(rnd, [2, 3, 2, 1])
    cnet = compile_network(net)
    pts = [x for x in ((fmpq(rnd.randint(-9, 9), 2), fmpq(rnd.randint(-9, 9), 3)) for _ in range(200))
           if _smooth(cnet, x)][:30]
    fwd = batch_forward(cnet, pts)
    vectors, families = known_kernel(fwd)
    J = _jacobian(net, pts)
    detected = 0
    for scaling in [v for v, f in zip(vectors, families) if f == "scaling"]:
        assert verify_kernel(fwd, [scaling]) is None and _annihilates(J, scaling)
        q = next(iter(scaling))
        tampered = {**scaling, q: scaling[q] * 2}
        if not _annihilates(J, tampered):  # the neuron matters at some point of the batch
            assert verify_kernel(fwd, [scaling, tampered]) == 1
            detected += 1
    assert detected == 5  # every neuron matters somewhere on this batch


def test_a_time_limit_gives_a_certified_interval():
    net, cnet, pts = _case(11, zero_input=True, dead=False, sparse=True, repeat=False)
    res = batch_functional_dimension(net, pts, deadline=Deadline.after(0))
    exact = _rank(_jacobian(net, pts))
    assert res.value is None and "time limit" in res.reason
    assert res.lower <= exact <= res.upper <= min(net.num_parameters, len(pts) * net.output_dim)


def test_rare_inputs_need_the_sparse_column_clusters():
    """Two inputs that are non-zero at one shared point only: their 2·n_1 first-layer columns meet
    n_d rows there, so the clusters find kernel vectors the blocks and scalings do not span, and the
    verified bound meets the exact rank."""
    rnd = random.Random(2)
    net = random_net(rnd, [4, 5, 1])
    cnet = compile_network(net)
    pts = []
    while len(pts) < 40:
        x = (fmpq(rnd.randint(-9, 9), 2), fmpq(rnd.randint(-9, 9), 3), fmpq(0), fmpq(0))
        if _smooth(cnet, x):
            pts.append(x)
    pts.append((fmpq(1), fmpq(1, 2), fmpq(3), fmpq(-2)))
    assert _smooth(cnet, pts[-1])
    fwd = batch_forward(cnet, pts)
    vectors, families = known_kernel(fwd)
    vectors, families = zip(*[(v, f) for v, f in zip(vectors, families) if verify_kernel(fwd, [v]) is None])
    D, p = net.num_parameters, 2**61 - 1
    without = len(kernel_pivots([v for v, f in zip(vectors, families) if f != "sparse column cluster"], D, p))
    assert len(kernel_pivots(vectors, D, p)) > without
    res = batch_functional_dimension(net, pts, seed=1)
    assert res.value == _rank(_jacobian(net, pts)) and res.value <= D - res.kernel_rank


def test_co_active_neurons_give_mixings_and_bias_shifts():
    """A first layer whose two neurons are active at every point of the batch: the four mixings and
    two bias shifts of family 4 are verified kernel vectors and the value is the exact rank."""
    net = net_from([([[1, 2], [3, -1], [-1, -1]], [50, 60, -100]), ([[1, -2, 3], [2, 1, 1]], [1, -1]),
                    ([[1, 1]], [0])])
    cnet = compile_network(net)
    rnd = random.Random(4)
    pts = []
    while len(pts) < 25:
        x = (fmpq(rnd.randint(-9, 9), 2), fmpq(rnd.randint(-9, 9), 3))
        if _smooth(cnet, x):
            pts.append(x)
    fwd = batch_forward(cnet, pts)
    vectors, families = known_kernel(fwd)
    co = [v for v, f in zip(vectors, families) if f == "co-active neurons"]
    assert len(co) >= 4 and verify_kernel(fwd, co) is None
    assert all(_annihilates(_jacobian(net, pts), v) for v in co)
    res = batch_functional_dimension(net, pts, seed=3)
    assert res.value == _rank(_jacobian(net, pts))
