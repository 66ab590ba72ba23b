"""Exact functional dimension (docs/relu-functional-dimension.md): the reference's test cases, invariance, the bound,
decisive and batch dimensions, smoothness errors, an independent finite-difference Jacobian, ranks."""

import random

import pytest
from flint import fmpq, fmpq_mat, fmpz_mat
from hypothesis import given, settings
from hypothesis import strategies as st

from exactnet.errors import InputError, UnsupportedError
from exactnet.network import Network, forward_exact
from exactnet.network.domain import Box
from exactnet.relu.functional_dimension import (EXACT_KERNEL, MODULAR, NO_SMOOTH_POINTS, batch_functional_dimension,
                                                decisive_set, functional_dimension, parse_batch)
from exactnet.relu.jacobian import (NotSmoothError, compile_network, jacobian_at, preactivation_signs, scaling_vectors,
                                    upper_bound)
from exactnet.linalg.modular import kernel_candidates, rational_reconstruction
from exactnet.relu.regions import regions

from .nets import lists, net_from, permute, random_net, scale


def theta_net(widths, theta) -> Network:
    it = iter(theta)
    layers = []
    for i in range(len(widths) - 1):
        W = [[next(it) for _ in range(widths[i])] for _ in range(widths[i + 1])]
        b = [next(it) for _ in range(widths[i + 1])]
        layers.append((W, b))
    return Network.from_lists("relu", layers)


# docs/relu.md § Test cases: (id, architecture, θ in library order, dim, bound, regions)
REFERENCE = [
    ("T1", (1, 1, 1), (1, "1/2", 2, 3), 3, 3, 2),
    ("T2a", (1, 1, 1), (1, 0, 0, 0), 2, 3, 2),
    ("T2b", (1, 1, 1), (0, -1, 1, 0), 1, 3, 1),
    ("T3a", (1, 1, 1, 1), (1, "1/3", -1, -1, 1, 0), 1, 4, 2),
    ("T3b", (1, 1, 1, 1), (1, "1/3", 1, 1, 1, 0), 3, 4, 2),
    ("T3c", (1, 1, 1, 1), (1, "1/3", -1, 1, 1, 0), 4, 4, 3),
    ("T3d", (1, 1, 1, 1), (1, "1/3", 1, -1, 1, 0), 3, 4, 3),
    ("T4", (1, 1, 1, 1), (1, 0, 1, 1, 0, 0), 2, 4, 2),
    ("T5 t=1/2", (1, 2, 1), (1, -1, "-1/2", "1/2", 1, -1, "1/2"), 4, 5, 2),
    ("T5 t=0", (1, 2, 1), (1, -1, 0, 0, 1, -1, 0), 4, 5, 2),
    ("T5 t=-3", (1, 2, 1), (1, -1, 3, -3, 1, -1, -3), 4, 5, 2),
    ("T6", (1, 2, 1), (1, -1, 0, 0, 1, 1, 0), 4, 5, 2),
    ("T6 other", (1, 2, 1), (2, -3, 0, 0, "1/2", "1/3", 0), 4, 5, 2),
    ("T6 swapped", (1, 2, 1), (-3, 2, 0, 0, "1/3", "1/2", 0), 4, 5, 2),
    ("T7", (1, 1, 1, 1, 1), (1, 0, -1, 1, "1/2", "-1/4", 1, 0), 4, 5, 4),
]


@pytest.mark.parametrize("name,widths,theta,dim,bound,count", REFERENCE, ids=[r[0] for r in REFERENCE])
@pytest.mark.parametrize("probes", [True, False])
def test_reference_cases(name, widths, theta, dim, bound, count, probes):
    net = theta_net(widths, theta)
    res = functional_dimension(net, probes=probes, seed=7)
    assert (res.value, res.upper_bound) == (dim, bound)
    assert res.attained == (dim == bound)
    assert res.certified_by == (MODULAR if dim == bound else EXACT_KERNEL)
    assert res.fiber_dimension == net.num_parameters - dim
    if dim < bound:  # every region is needed to certify a value below the bound
        assert res.enumeration_complete and res.regions_enumerated == count
    else:  # the enumeration stops as soon as the bound is met
        assert res.regions_enumerated <= count and res.regions_used <= count
    # the decisive points of the result attain the value; so does the full decisive set
    pts = [p for simplex in res.decisive_points for p in simplex]
    assert batch_functional_dimension(net, pts).value == dim
    assert batch_functional_dimension(net, decisive_set(net)).value == dim
    # the extra kernel directions annihilate the Jacobian at every decisive point, exactly
    for v in res.kernel:
        for x in decisive_set(net):
            for row in jacobian_at(net, x):
                assert sum((a * b for a, b in zip(row, v)), fmpq(0)) == 0
    assert len(res.kernel) == bound - dim  # gauge-fixed: exactly the directions beyond the scalings


def test_inhomogeneous_1111_sign_rule():
    """docs/relu-functional-dimension.md: for (1,1,1,1), dim_fun is 1, 3, 4, 3 by the signs of (c, e)."""
    expect = {(-1, -1): 1, (1, 1): 3, (-1, 1): 4, (1, -1): 3}
    rnd = random.Random(11)
    for (sc, se), dim in expect.items():
        for _ in range(3):
            a = fmpq(rnd.choice((-1, 1)) * rnd.randint(1, 9), rnd.randint(1, 5))
            b = fmpq(rnd.randint(-9, 9), rnd.randint(1, 5))
            c = sc * fmpq(rnd.randint(1, 9), rnd.randint(1, 5))
            e = se * fmpq(rnd.randint(1, 9), rnd.randint(1, 5))
            d = fmpq(rnd.choice((-1, 1)) * rnd.randint(1, 9), rnd.randint(1, 5))
            f = fmpq(rnd.randint(-9, 9), 3)
            assert functional_dimension(theta_net((1, 1, 1, 1), (a, b, c, e, d, f))).value == dim


def _moved(net, rnd):
    layers = lists(net)
    for li in range(len(layers) - 1):
        permute(layers, li, rnd)
        for j in range(len(layers[li][0])):
            scale(layers, li, j, fmpq(rnd.randint(1, 9), rnd.randint(1, 9)))
    return net_from(layers)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), widths=st.sampled_from([(1, 2, 1), (2, 2, 1), (1, 2, 2, 1), (2, 3, 2, 1),
                                                           (2, 2, 2, 2)]))
def test_invariant_under_permutation_and_scaling(seed, widths):
    rnd = random.Random(seed)
    net = random_net(rnd, widths)
    moved = _moved(net, rnd)
    a, b = functional_dimension(net, seed=seed), functional_dimension(moved, seed=seed + 1)
    assert a.value == b.value and a.upper_bound == b.upper_bound


def _generic_shallow(rnd, widths):
    def entry():
        return fmpq(rnd.choice((-1, 1)) * rnd.randint(1, 1000), rnd.randint(1, 97))

    layers = []
    for i in range(len(widths) - 1):
        layers.append(([[entry() for _ in range(widths[i])] for _ in range(widths[i + 1])],
                       [entry() for _ in range(widths[i + 1])]))
    return net_from(layers)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("widths", [(1, 3, 1), (2, 4, 1), (3, 5, 2), (1, 6, 1)])
def test_generic_one_hidden_layer_attains_bound(seed, widths):
    net = _generic_shallow(random.Random(seed), widths)
    res = functional_dimension(net, seed=seed)
    assert res.value == upper_bound(widths) and res.certified_by == MODULAR


def test_bound_formula_and_table():
    table = {(1, 1, 1): 3, (1, 2, 1): 5, (2, 3, 1): 10, (1, 2, 2, 1): 9, (2, 4, 4, 1): 29, (2, 2, 2, 2, 1): 15}
    for widths, bound in table.items():
        assert upper_bound(widths) == bound


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), widths=st.sampled_from([(1, 2, 2, 1), (2, 2, 2, 1), (2, 3, 1), (1, 3, 2, 2)]))
def test_batch_at_most_fdim_and_equal_on_decisive_set(seed, widths):
    rnd = random.Random(seed)
    net = random_net(rnd, widths)
    res = functional_dimension(net, seed=seed)
    assert res.value <= res.upper_bound
    cnet = compile_network(net)
    pts = []
    for _ in range(300):  # a unit with zero incoming row makes every point non-smooth
        x = tuple(fmpq(rnd.randint(-30, 30), rnd.randint(1, 7)) for _ in range(widths[0]))
        if all(0 not in layer for layer in preactivation_signs(cnet, x)):
            pts.append(x)
        if len(pts) == 6:
            break
    assert batch_functional_dimension(net, pts).value <= res.value
    if res.degenerate_regions == 0:
        assert batch_functional_dimension(net, decisive_set(net)).value == res.value


def _fd_jacobian(net: Network, x) -> list[list[fmpq]]:
    """∂F/∂θ at x by exact difference quotients: F is affine in each single parameter while the
    activation pattern stays fixed, which is checked exactly."""
    theta = list(net.parameter_vector())
    h = fmpq(1, 10**15)
    base = forward_exact(net, x)
    pattern = preactivation_signs(compile_network(net), x)
    cols = []
    for k in range(len(theta)):
        th = list(theta)
        th[k] += h
        moved = theta_net(net.widths, th)
        assert preactivation_signs(compile_network(moved), x) == pattern
        cols.append([(y1 - y0) / h for y0, y1 in zip(base, forward_exact(moved, x))])
    return [[cols[k][o] for k in range(len(theta))] for o in range(net.output_dim)]


@pytest.mark.parametrize("seed,widths", [(1, (1, 2, 2, 1)), (2, (2, 2, 2, 1)), (3, (2, 3, 1)), (4, (1, 3, 3, 1)),
                                         (5, (2, 2, 2, 2)), (6, (1, 1, 1, 1, 1))])
def test_independent_finite_difference_rank(seed, widths):
    """The value equals the exact rank of difference-quotient Jacobians on a decisive set (no gauge,
    no region Jacobians, no modular arithmetic)."""
    net = random_net(random.Random(seed), widths)
    res = functional_dimension(net, seed=seed)
    rows = [r for x in decisive_set(net) for r in _fd_jacobian(net, x)]
    assert fmpq_mat(len(rows), net.num_parameters, [v for r in rows for v in r]).rank() == res.value
    # the point Jacobian agrees with the difference quotients
    x = decisive_set(net)[0]
    assert jacobian_at(net, x) == _fd_jacobian(net, x)
    # the scaling vectors are in the kernel (docs/relu-functional-dimension.md)
    for v in scaling_vectors(net):
        for row in jacobian_at(net, x):
            assert sum((a * b for a, b in zip(row, v)), fmpq(0)) == 0


def test_non_smooth_points_name_point_and_neuron():
    net = theta_net((1, 2, 1), (1, -1, "-1/2", "1/2", 1, -1, "1/2"))  # kinks at x = 1/2
    with pytest.raises(NotSmoothError) as exc:
        batch_functional_dimension(net, [(fmpq(2),), (fmpq(1, 2),)])
    assert exc.value.index == 1 and (exc.value.layer, exc.value.unit) == (1, 1)
    assert "batch point 2" in str(exc.value) and "layer 1, unit 1" in str(exc.value)
    # a second-layer neuron: z2 = relu(x) - 1 vanishes at x = 1
    deep = theta_net((1, 1, 1, 1), (1, 0, 1, -1, 1, 0))
    with pytest.raises(NotSmoothError) as exc:
        batch_functional_dimension(deep, [(fmpq(3),), (fmpq(-2),), (fmpq(1),)])
    assert exc.value.index == 2 and (exc.value.layer, exc.value.unit) == (2, 1)
    with pytest.raises(NotSmoothError):
        jacobian_at(deep, [0])


def test_parse_batch_errors():
    assert parse_batch([["1/2"], [3]], 1) == [(fmpq(1, 2),), (fmpq(3),)]
    assert parse_batch(["0.5", 2], 1) == [(fmpq(1, 2),), (fmpq(2),)]
    with pytest.raises(InputError, match="coordinates"):
        parse_batch([[1, 2]], 1)
    with pytest.raises(InputError, match="list"):
        parse_batch({"a": 1}, 1)
    with pytest.raises(InputError, match="rational"):
        parse_batch([["sqrt(2)"]], 1)


def test_domain_restricts_the_dimension():
    net = theta_net((1, 1, 1), (1, "1/2", 2, 3))
    assert functional_dimension(net).value == 3
    box = Box.from_bounds([fmpq(1)], [fmpq(2)])  # the neuron is always active there: F is affine
    res = functional_dimension(net, box)
    assert res.value == 2 and res.upper_bound == 3
    both = Box.from_bounds([fmpq(-2)], [fmpq(2)])
    assert functional_dimension(net, both).value == 3


def test_degenerate_and_zero_neurons():
    zero = theta_net((1, 1, 1), (0, 0, 1, 0))
    res = functional_dimension(zero)
    assert res.value == 0 and res.certified_by == NO_SMOOTH_POINTS and "identically 0" in res.reason
    # zero biases: layer-2 preactivation ≡ 0 where the first layer is off (docs/relu.md § Exactness pitfalls)
    net = net_from([([[1, 0], [0, 1]], [0, 0]), ([[1, 1], [2, -1]], [0, 0]), ([[1, 1]], [0])])
    res = functional_dimension(net)
    assert res.degenerate_regions >= 1 and "identically 0" in res.reason
    assert any(r.is_degenerate for r in regions(net))


def test_timeout_gives_certified_lower_bound():
    rnd = random.Random(5)
    net = random_net(rnd, (2, 8, 8, 8, 1))
    full = functional_dimension(net, seed=1)
    part = functional_dimension(net, seed=1, timeout=1e-6)
    assert part.value is None and part.attained is None and "time limit" in part.reason
    assert part.lower_bound <= full.value


def test_unsupported_inputs():
    tanh = Network.from_lists("tanh", [([[1]], [0]), ([[1]], [0])])
    with pytest.raises(UnsupportedError):
        functional_dimension(tanh)
    # real algebraic weights are supported (rank over the number field): f = w2·relu(w1·x + b1) + b2
    # at w1 = sqrt(2) has the rows (w2, 0, w1, 0), (0, w2, b1, 1) on x > 0 and (0, 0, 0, 1): rank 3
    alg = Network.from_lists("relu", [([["sqrt(2)"]], [0]), ([[1]], [0])])
    res = functional_dimension(alg)
    assert res.value == res.upper_bound == 3


@settings(max_examples=25, deadline=None)
@given(n=st.integers(-10**12, 10**12), d=st.integers(1, 10**12))
def test_rational_reconstruction(n, d):
    m = (1 << 127) - 1
    q = fmpq(n, d)
    assert rational_reconstruction(int(q.p) * pow(int(q.q), -1, m) % m, m) == q


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_kernel_candidates_of_random_low_rank(seed):
    rnd = random.Random(seed)
    r, c = rnd.randint(1, 6), rnd.randint(2, 9)
    r = min(r, c)
    rows = [[rnd.randint(-10**6, 10**6) for _ in range(c)] for _ in range(r)]
    vecs = kernel_candidates(rows, c, rnd)
    rank = fmpz_mat(rows).rank()
    if rank < r:
        return  # the function is specified for independent rows only
    assert vecs is not None and len(vecs) == c - r
    for v in vecs:
        assert all(sum(a * b for a, b in zip(row, v)) == 0 for row in rows)
    if vecs:
        assert fmpz_mat(vecs).rank() == len(vecs)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_modular_region_rows_are_the_residues_of_the_exact_rows(seed):
    """The batched NumPy rows modulo a 31-bit prime equal the exact integer rows of every pattern
    reduced modulo that prime (labels 0 and −1 both mask the neuron out)."""
    from exactnet.relu.jacobian import VECTOR_PRIME_BITS, free_columns, modular_network, modular_region_rows, region_rows
    from exactnet.linalg.modular import random_prime

    rnd = random.Random(seed)
    widths = [rnd.randint(1, 4)] + [rnd.randint(1, 5) for _ in range(rnd.randint(1, 3))] + [rnd.randint(1, 3)]
    net = random_net(rnd, widths, scale=10**9, dens=(1, 3, 2**31 - 1, 10**12 + 39))  # residues of big integers
    cnet = compile_network(net)
    p = random_prime(rnd, VECTOR_PRIME_BITS)
    patterns = [tuple(tuple(rnd.choice((1, -1, 0)) for _ in range(w)) for w in widths[1:-1])
                for _ in range(rnd.randint(1, 6))]
    for columns in (None, free_columns(net)):
        got = modular_region_rows(modular_network(cnet, p), patterns, columns).tolist()
        assert got == [[int(v) % p for v in r] for pat in patterns for r in region_rows(cnet, pat, columns)]


def test_matmul_mod_is_exact_for_large_residues_and_long_sums():
    import numpy as np

    from exactnet.relu.jacobian import _matmul_mod

    p = 2**31 - 1
    rng = np.random.default_rng(3)
    for shape_a, shape_b in [((3, 5), (5, 4)), ((2, 3, 40000), (40000, 2)), ((1, 70000), (2, 70000, 1))]:
        A = np.full(shape_a, p - 1, dtype=np.int64) - rng.integers(0, 3, shape_a)
        B = np.full(shape_b, p - 1, dtype=np.int64) - rng.integers(0, 3, shape_b)
        exact = np.matmul(A.astype(object), B.astype(object)) % p
        assert (_matmul_mod(A, B, p).astype(object) == exact).all()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_modular_span_keeps_the_greedy_basis_whatever_the_batches(seed):
    """Fed in random batches with random flushes, the span selects exactly the greedy (first-come)
    maximal independent subset of all non-zero rows (one FLINT elimination over everything), and
    its echelon form spans the basis."""
    import numpy as np

    from exactnet.relu.jacobian import _matmul_mod
    from exactnet.linalg.modular import ModularSpan, independent_rows, random_prime

    rnd = random.Random(seed)
    p = random_prime(rnd, 31)
    rng = np.random.default_rng(seed)
    c = rnd.randint(1, 30)
    rank = rnd.randint(1, c)
    rows = _matmul_mod(rng.integers(0, 3, (120, rank)), rng.integers(0, p, (rank, c)), p)
    span = ModularSpan(c, p)
    i = 0
    while i < len(rows):
        k = rnd.randint(1, 30)
        span.add_array(rows[i:i + k], list(range(i, min(len(rows), i + k))))
        i += k
        if rnd.random() < 0.5:
            span.flush()
    span.flush()
    nonzero = [j for j in range(len(rows)) if rows[j].any()]
    assert span.tags == [nonzero[j] for j in independent_rows(rows[nonzero], c, p)]
    assert span.certified_rank() == span.rank
    if span.rank:
        E = span._E
        assert (E[:, span._P] == np.eye(span.rank, dtype=np.int64)).all()
        assert len(independent_rows(np.concatenate([span.basis, E]), c, p)) == span.rank


def test_mulmod_is_exact():
    import numpy as np

    from exactnet.linalg.modular import mulmod

    p = 2**31 - 1
    rng = np.random.default_rng(5)
    for sa, sb in [((4, 6), (6, 3)), ((50, 3000), (3000, 7))]:
        A = np.maximum(rng.integers(p - 3, p, sa), 0)
        B = rng.integers(0, p, sb)
        assert (mulmod(A, B, p).astype(object) == (A.astype(object) @ B.astype(object)) % p).all()


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_batched_preactivation_signs_agree_pointwise(seed):
    """Signs of many points at once (including zeros: small integer data) equal the per-point signs."""
    from exactnet.relu.jacobian import preactivation_signs_batch

    rnd = random.Random(seed)
    widths = [rnd.randint(1, 3)] + [rnd.randint(1, 5) for _ in range(rnd.randint(1, 3))] + [1]
    cnet = compile_network(random_net(rnd, widths, scale=3))
    pts = [tuple(fmpq(rnd.randint(-6, 6), rnd.randint(1, 4)) for _ in range(widths[0]))
           for _ in range(rnd.randint(1, 30))]
    assert preactivation_signs_batch(cnet, pts) == [preactivation_signs(cnet, x) for x in pts]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), widths=st.sampled_from([(1, 2, 2, 1), (2, 3, 2, 1), (2, 2, 2, 2)]),
       probes=st.booleans())
def test_decisive_points_on_a_box_attain_the_value(seed, widths, probes):
    """The decisive points (interior points computed on demand for enumerated regions) lie inside
    the box and their exact batch rank is the value on the box."""
    rnd = random.Random(seed)
    net = random_net(rnd, widths)
    box = Box.from_bounds([-2] * widths[0], [fmpq(3, 2)] * widths[0])
    res = functional_dimension(net, box, seed=seed, probes=probes)
    pts = [p for simplex in res.decisive_points for p in simplex]
    assert all(box.contains(p) and all(lo < v < hi for lo, v, hi in zip(box.lower, p, box.upper)) for p in pts)
    if res.value:
        assert batch_functional_dimension(net, pts).value == res.value


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_structural_support_is_sound_and_selected_columns_match(seed):
    """A column marked structurally zero is exactly zero in every pattern's rows (weights with many
    zeros); rows restricted to a few columns (any order) equal the full rows restricted."""
    from exactnet.relu.jacobian import region_rows, structural_support

    rnd = random.Random(seed)
    widths = [rnd.randint(1, 3)] + [rnd.randint(1, 4) for _ in range(rnd.randint(1, 3))] + [rnd.randint(1, 2)]
    cnet = compile_network(random_net(rnd, widths, scale=1))  # entries in {-1, 0, 1}/d: many zeros
    patterns = [tuple(tuple(rnd.choice((1, -1, 0)) for _ in range(w)) for w in widths[1:-1])
                for _ in range(rnd.randint(1, 5))]
    may = structural_support(cnet, patterns)
    full = {pat: region_rows(cnet, pat) for pat in patterns}
    for q in range(cnet.num_parameters):
        if not may[q]:
            assert all(r[q] == 0 for rows in full.values() for r in rows)
    cols = rnd.sample(range(cnet.num_parameters), max(1, cnet.num_parameters // 4))
    for pat, rows in full.items():
        assert region_rows(cnet, pat, cols) == [[r[q] for q in cols] for r in rows]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_modular_point_rows_are_the_residues_of_the_exact_point_rows(seed):
    """The batched rows at points modulo a 31-bit prime equal the exact integer rows of
    :func:`point_rows` reduced modulo that prime (big numerators and denominators included)."""
    from exactnet.linalg.modular import random_prime
    from exactnet.relu.jacobian import (VECTOR_PRIME_BITS, _integer_point, free_columns, modular_network,
                                        modular_point_rows, point_rows, preactivation_signs_batch)

    rnd = random.Random(seed)
    widths = [rnd.randint(1, 4)] + [rnd.randint(1, 5) for _ in range(rnd.randint(1, 3))] + [rnd.randint(1, 3)]
    net = random_net(rnd, widths, scale=10**9, dens=(1, 3, 2**31 - 1, 10**12 + 39))
    cnet = compile_network(net)
    p = random_prime(rnd, VECTOR_PRIME_BITS)
    pts = [tuple(fmpq(rnd.randint(-10**12, 10**12), rnd.choice((1, 7, 2**40 + 15))) for _ in range(widths[0]))
           for _ in range(rnd.randint(1, 6))]
    pats = preactivation_signs_batch(cnet, pts)
    keep = [i for i, pat in enumerate(pats) if all(v != 0 for layer in pat for v in layer)]
    pts, pats = [pts[i] for i in keep], [pats[i] for i in keep]
    for columns in (None, free_columns(net)):
        got = modular_point_rows(modular_network(cnet, p), [_integer_point(x) for x in pts], pats, columns).tolist()
        assert got == [[int(v) % p for v in r] for x, pat in zip(pts, pats) for r in point_rows(cnet, x, pat, columns)]


def _exact_batch_rank(net, pts) -> int:
    """The rank of the stacked exact Jacobians (rationals, FLINT), independently of the decider."""
    rows = [r for x in pts for r in jacobian_at(net, x)]
    return fmpq_mat(len(rows), len(rows[0]), [v for r in rows for v in r]).rank()


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), zero_coordinate=st.booleans(), many=st.booleans())
def test_batch_rank_equals_the_exact_rank_of_the_stacked_jacobians(seed, zero_coordinate, many):
    """Whichever way it is certified (modular rank meeting the rows, the bound, the columns not
    identically zero, the compressed remainder, or the exact fallback), the batch value is the rank
    of the exact stacked Jacobians; a coordinate that is 0 at every point zeroes columns."""
    rnd = random.Random(seed)
    widths = [rnd.randint(1, 3), rnd.randint(1, 4), rnd.randint(1, 3), rnd.randint(1, 2)]
    net = random_net(rnd, widths)
    cnet = compile_network(net)
    count = rnd.randint(8, 30) if many else rnd.randint(1, 4)
    pts = []
    for _ in range(20 * count):  # smooth points only (with x_0 = 0 there may be none)
        x = [fmpq(rnd.randint(-40, 40), rnd.randint(1, 5)) for _ in range(widths[0])]
        if zero_coordinate:
            x[0] = fmpq(0)
        if all(v != 0 for layer in preactivation_signs(cnet, x) for v in layer):
            pts.append(tuple(x))
            if len(pts) == count:
                break
    res = batch_functional_dimension(net, pts, seed=seed)
    if not pts:
        assert res.value == 0
        return
    assert res.value == _exact_batch_rank(net, pts)
    assert res.value <= min(res.upper_bound, len(pts) * widths[-1])
