"""The truth of a certificate's claim, decided without the checker (not a test module).

:func:`claim_holds` answers ``True`` (the claim is true), ``False`` (false, or not a well-posed
question about these inputs — such a certificate must never check valid either) or ``None``
(the deciders could not tell, e.g. a time limit). It uses the product's *deciders* and exact
evaluation, never :mod:`exactnet.certificates`:

* ``relu.equivalence`` on a domain ``D``: PPL gives ``D``'s generators exactly, hence its affine
  hull ``p + span(M)`` (``M`` an ``n×k`` basis). ``D`` empty → equivalence holds vacuously and a
  difference does not exist; ``k = 0`` → exact evaluation at the point; else both networks are
  composed with ``t ↦ p + M t`` and :func:`exactnet.relu.equivalence.equivalent` decides them on
  the full-dimensional ``T = {t : p + M t ∈ D}`` (equality on ``D`` ⇔ equality of the
  compositions on ``T``);
* ``relu.stable_compression``: the same as ``relu.equivalence`` with ``equivalent: true`` on the box;
* ``tanh.equivalence``: :func:`exactnet.tanh.equivalence.equivalent` on ``R^n`` (the functions are
  real-analytic, so on a nonempty open box they agree iff they agree everywhere);
* ``relu.max_difference``/``relu.epsilon`` (boxes, polyhedra through their affine hull, finite
  domains; sup and 1-norm): :func:`exactnet.relu.max_difference.max_difference`; ``relu.top1``:
  :func:`exactnet.relu.top1.top1_equivalent`;
* ``tanh.path``: :func:`exactnet.tanh.paths.path`; ``tanh.proximate_rank``: the exact
  :func:`exactnet.tanh.proximate_rank.prank`.
"""

from __future__ import annotations

from flint import fmpq, fmpq_mat

from exactnet.certificates.networks import compact_network_from_obj, is_compact
from exactnet.errors import InputError
from exactnet.network import Layer, Network, forward_exact
from exactnet.network.domain import Box, Polyhedron, domain_from_obj
from exactnet.network.jsonio import network_from_obj
from exactnet.numbers import parse_scalar


def claim_holds(cert: dict):
    try:
        nets = [(compact_network_from_obj if is_compact(n) else network_from_obj)(n) for n in cert["networks"]]
    except (InputError, KeyError, TypeError):
        return False
    kind = cert.get("kind")
    claim = cert.get("claim", {})
    try:
        if kind == "relu.equivalence":
            return _relu_equivalence(nets, claim)
        if kind in ("relu.max_difference", "relu.epsilon"):
            return _relu_difference(kind, nets, claim)
        if kind == "relu.top1":
            return _relu_top1(nets, claim)
        if kind == "relu.stable_compression":  # "A = C on the box" is an equivalence claim
            if claim.get("equal_on_domain") is not True or not isinstance(claim.get("domain"), dict):
                return False
            return _relu_equivalence(nets, {"equivalent": True, "domain": claim["domain"]})
        if kind == "tanh.equivalence":
            return _tanh_equivalence(nets, claim)
        if kind == "tanh.path":
            return _tanh_path(nets, claim)
        if kind == "tanh.proximate_rank":
            return _tanh_prank(nets, claim)
        if kind == "tanh.max_difference_enclosure":
            return _tanh_enclosure(nets, claim)
    except InputError as exc:
        if "unbounded" in str(exc) and kind in ("relu.max_difference", "relu.epsilon", "relu.top1"):
            # The deciders refuse unbounded domains (a maximum need not exist), but a region tree's
            # proofs (Farkas, LP duals, Motzkin) hold on unbounded cells too, so such a claim can be
            # true and its certificate valid: the oracle cannot judge it.
            return None
        return False  # the deciders refuse the question: it is not well posed
    return False


# ---------------------------------------------------------------------------------------------
# relu
# ---------------------------------------------------------------------------------------------


def _relu_equivalence(nets, claim):
    from exactnet.relu.equivalence import equivalent

    if len(nets) != 2 or any(n.activation != "relu" for n in nets):
        return False
    a, b = nets
    if (a.input_dim, a.output_dim) != (b.input_dim, b.output_dim):
        return False
    value = claim.get("equivalent")
    if not isinstance(value, bool):
        return False
    dom = claim.get("domain")
    if dom is None:
        decided = equivalent(a, b).equivalent
        return None if decided is None else decided == value
    domain = domain_from_obj(dom)
    if domain.dim != a.input_dim:
        return False
    hull = affine_hull(domain)
    if hull is None:  # empty domain
        return value
    p, M, T = hull
    if not M:
        return (forward_exact(a, p) == forward_exact(b, p)) == value
    if len(M) == a.input_dim:
        decided = equivalent(a, b, domain).equivalent
    else:
        decided = equivalent(compose(a, p, M), compose(b, p, M), T).equivalent
    return None if decided is None else decided == value


def _difference_domain(nets, claim):
    """The claim's domain as the deciders take it: ``(networks, domain, embed)`` with the networks
    composed with ``t ↦ p + M t`` when the polyhedron is lower-dimensional (``embed`` maps ``t``
    back to ``x``), or ``None`` when the question is not well posed (wrong dimension, empty domain)."""
    from exactnet.network.domain_spec import domain_from_json
    from exactnet.network.finite_domain import FiniteDomain

    n = nets[0].input_dim
    domain = domain_from_json(claim.get("domain"), "domain", n)
    if domain.dim != n:
        return None
    if isinstance(domain, FiniteDomain):
        return (nets, domain, None) if domain.size else None
    hull = affine_hull(domain)
    if hull is None:
        return None
    p, M, T = hull
    if len(M) == n:
        return nets, domain, None
    if not M:
        return nets, p, None
    return [compose(net, p, M) for net in nets], T, (p, M)


def _relu_difference(kind, nets, claim):
    """``relu.max_difference`` / ``relu.epsilon``: the decider
    :func:`exactnet.relu.max_difference.max_difference` on the domain (a lower-dimensional
    polyhedron through its affine hull; a single point by exact evaluation; a union part by part)."""
    norm = claim.get("norm")
    if len(nets) != 2 or any(n.activation != "relu" for n in nets) or norm not in ("inf", "1"):
        return False
    if (nets[0].input_dim, nets[0].output_dim) != (nets[1].input_dim, nets[1].output_dim):
        return False
    parts = _parts(nets, claim)
    values = [v for v in (_part_maximum(nets, part, norm) for part in parts) if v is not None]
    if not values:
        return kind == "relu.epsilon" and claim["within"] is True and _is_empty_claim(nets, claim)
    value = max(v for v, _ in values)
    per = [max(p[k] for _, p in values) for k in range(nets[0].output_dim)] if norm == "inf" else None
    if kind == "relu.epsilon":
        return (value <= parse_scalar(claim["eps"])) == (claim["within"] is True)
    if norm == "1":
        return claim.get("per_output") is None and parse_scalar(claim["max_abs_difference"]) == value
    if claim.get("per_output") is None:
        return False
    got = [parse_scalar(v) for v in claim["per_output"]]
    return got == list(per) and parse_scalar(claim["max_abs_difference"]) == value


def _parts(nets, claim):
    """The claim's domain as a list of ``{"domain": part}`` claims (a union: one per part)."""
    dom = claim.get("domain")
    if isinstance(dom, dict) and "union" in dom:
        return [{"domain": part} for part in dom["union"]]
    return [claim]


def _part_maximum(nets, part, norm):
    """``(max ‖d‖, per-output maxima)`` on one part, ``None`` when the part is empty."""
    from exactnet.relu.max_difference import max_difference, norm_value

    posed = _difference_domain(nets, part)
    if posed is None:
        return None
    pnets, domain, _ = posed
    if isinstance(domain, tuple):  # a single point
        d = [p - q for p, q in zip(forward_exact(pnets[0], domain), forward_exact(pnets[1], domain))]
        return norm_value(d, norm), [abs(v) for v in d]
    res = max_difference(pnets[0], pnets[1], domain, norm=norm)
    if norm == "1":
        return res.value, None
    return res.value, list(res.per_output)


def _is_empty_claim(nets, claim) -> bool:
    """Is the claim's domain empty (a claim 'within ε' then holds vacuously)?"""
    from exactnet.network.domain_spec import domain_from_json
    from exactnet.network.finite_domain import FiniteDomain

    domain = domain_from_json(claim.get("domain"), "domain", nets[0].input_dim)
    if domain.dim != nets[0].input_dim:
        return False
    if isinstance(domain, FiniteDomain):
        return domain.size == 0
    if hasattr(domain, "parts"):
        return all(affine_hull(p) is None for p in domain.parts)
    return affine_hull(domain) is None


def _relu_top1(nets, claim):
    """``relu.top1``: the decider :func:`exactnet.relu.top1.top1_equivalent` on the domain (through
    its affine hull when lower-dimensional; a single point by exact evaluation)."""
    from exactnet.network.argmax import exact_argmax
    from exactnet.relu.top1 import top1_equivalent

    if len(nets) != 2 or any(n.activation != "relu" for n in nets) or nets[0].output_dim < 2:
        return False
    if (nets[0].input_dim, nets[0].output_dim) != (nets[1].input_dim, nets[1].output_dim):
        return False
    verdicts = []
    for part in _parts(nets, claim):
        posed = _difference_domain(nets, part)
        if posed is None:
            continue
        pnets, domain, _ = posed
        if isinstance(domain, tuple):
            verdicts.append(exact_argmax(forward_exact(pnets[0], domain))[0]
                            == exact_argmax(forward_exact(pnets[1], domain))[0])
        else:
            verdicts.append(top1_equivalent(pnets[0], pnets[1], domain).equivalent)
    if not verdicts:
        return claim["top1_equivalent"] is True and _is_empty_claim(nets, claim)
    same = False if False in verdicts else (None if None in verdicts else True)
    return None if same is None else same == (claim["top1_equivalent"] is True)


def affine_hull(domain: Polyhedron):
    """``None`` if ``domain`` is empty, else ``(p, M, T)``: a point ``p`` of it, a basis ``M``
    (list of direction vectors) of its affine hull's directions, and ``T = {t : p + Mt ∈ D}``."""
    import ppl

    n = domain.dim
    xs = [ppl.Variable(i) for i in range(n)]
    poly = ppl.C_Polyhedron(n, "universe")
    for row, beta in domain.constraints():
        den = 1
        for v in list(row) + [beta]:
            den = den * int(v.q) // _gcd(den, int(v.q))
        e = ppl.Linear_Expression(int(beta * den))
        for a, x in zip(row, xs):
            if a:
                e -= int(a * den) * x
        poly.add_constraint(e >= 0)
    if poly.is_empty():
        return None
    points, directions = [], []
    for g in poly.minimized_generators():
        coeffs = [fmpq(int(c)) for c in g.coefficients()]
        if g.is_point() or g.is_closure_point():
            d = int(g.divisor())
            points.append(tuple(c / d for c in coeffs))
        else:
            directions.append(tuple(coeffs))
    p = points[0]
    directions += [tuple(x - y for x, y in zip(q, p)) for q in points[1:]]
    basis: list = []
    for v in directions:
        if any(v) and _rank(basis + [v], n) > len(basis):
            basis.append(v)
    k = len(basis)
    if k == 0 or k == n:
        return p, basis, domain
    rows, rhs = [], []
    for row, beta in domain.constraints():
        rows.append(tuple(sum((a * v[i] for i, a in enumerate(row)), fmpq(0)) for v in basis))
        rhs.append(beta - sum((a * x for a, x in zip(row, p)), fmpq(0)))
    return p, basis, Polyhedron(A=tuple(rows), b=tuple(rhs), dim=k)


def _gcd(a, b):
    import math

    return math.gcd(a, b)


def _rank(vectors, n):
    return fmpq_mat(len(vectors), n, [x for v in vectors for x in v]).rank()


def compose(net: Network, p, M) -> Network:
    """``net ∘ (t ↦ p + M t)`` (``M`` a list of column vectors)."""
    first, *rest = net.layers
    weight = tuple(tuple(sum((w * v[i] for i, w in enumerate(row)), fmpq(0)) for v in M) for row in first.weight)
    bias = tuple(c + sum((w * x for w, x in zip(row, p)), fmpq(0)) for row, c in zip(first.weight, first.bias))
    return Network(net.activation, (Layer(weight, bias), *rest))


# ---------------------------------------------------------------------------------------------
# tanh
# ---------------------------------------------------------------------------------------------


def _tanh_shapes_ok(nets) -> bool:
    return (len(nets) == 2 and all(n.activation == "tanh" and n.depth == 1 for n in nets)
            and nets[0].input_dim == nets[1].input_dim and nets[0].output_dim == nets[1].output_dim)


def _tanh_equivalence(nets, claim):
    from exactnet.tanh.equivalence import equivalent as tanh_equivalent

    if not _tanh_shapes_ok(nets):
        return False
    value = claim.get("equivalent")
    if not isinstance(value, bool):
        return False
    if "domain" in claim:
        box = domain_from_obj(claim["domain"])  # a box must have lower < upper (InputError: not well posed)
        if not isinstance(box, Box) or box.dim != nets[0].input_dim:
            return False
    decided = tanh_equivalent(*nets).equivalent
    return None if decided is None else decided == value


def _tanh_path(nets, claim):
    from exactnet.tanh.paths import path

    if not _tanh_shapes_ok(nets):
        return False
    value = claim.get("path_exists")
    if not isinstance(value, bool):
        return False
    if nets[0].widths != nets[1].widths:
        return not value
    return path(*nets).exists == value


def _tanh_enclosure(nets, claim):
    """``lower ≤ max_X ‖A − B‖_∞ ≤ upper``: the product's enclosure refined to a small width decides
    it when the intervals are apart (``None`` when they overlap undecidably)."""
    from exactnet.tanh.max_difference import max_difference_enclosure

    if not _tanh_shapes_ok(nets) or claim.get("norm") != "inf":
        return False
    box = domain_from_obj(claim.get("domain"))
    if not isinstance(box, Box) or box.dim != nets[0].input_dim:
        return False
    lo, hi = parse_scalar(claim["lower"]), parse_scalar(claim["upper"])
    if lo > hi:
        return False
    enc = max_difference_enclosure(nets[0], nets[1], box, fmpq(1, 10 ** 6))
    if hi < enc.lower or lo > enc.upper:
        return False
    if lo <= enc.lower and enc.upper <= hi:
        return True
    return None


def _tanh_prank(nets, claim):
    from exactnet.tanh.proximate_rank import prank

    if not (nets and nets[0].activation == "tanh" and nets[0].depth == 1):
        return False
    r = claim.get("proximate_rank_at_most")
    if isinstance(r, bool) or not isinstance(r, int):
        return False
    try:
        eps = parse_scalar(claim.get("eps"))
    except InputError:
        return False
    if not isinstance(eps, fmpq) or eps < 0:
        return False
    result = prank(nets[0], eps)
    if result.value is None:
        return True if result.upper <= r else (False if result.lower > r else None)
    return result.value <= r


__all__ = ["affine_hull", "claim_holds", "compose"]
