"""Independent checker of ``relu.*`` certificates (``exactnet check``).

This module shares only parsing and number types with the code that produces certificates
(it imports nothing from :mod:`exactnet.relu`): it re-derives everything it needs with exact
arithmetic, and region-tree proofs use rational arithmetic alone (no PPL, no LP solver) — or, for
networks with real algebraic weights, exact arithmetic in their common number field (zero tests
of reduced representatives, signs from rigorous enclosures; :mod:`exactnet.numbers`).
The shape of the certificate (every key) was validated before (:mod:`exactnet.certificates.schema`).

Kind ``relu.equivalence``: claim ``{"equivalent": bool, "domain": null | box/polyhedron, "tier"}``
about the two inline networks ``A``, ``B``. Common hypotheses, checked first: both are ReLU
networks with equal input and output dimensions ``n``, ``m``; the domain ``D`` (the closed
polyhedron ``{x : Ax ≤ b}``, or ``R^n`` when null) has dimension ``n``; claims of equivalence
need ``D ≠ ∅``. Each evidence method applies one theorem, and the checker verifies all of its
hypotheses (docs/certificates.md states them with the same names):

* ``{"method": "witness", "point": x, "outputs": [A(x), B(x)]}`` (claim false). **Theorem W:**
  if ``x ∈ D`` and ``A(x) ≠ B(x)`` then ``A ≢ B`` on ``D``. Checked: ``x`` rational with ``n``
  coordinates, ``x ∈ D`` (closed, exact), ``A(x) ≠ B(x)`` by exact evaluation (``outputs``, when
  present, must be exactly those values).
* ``{"method": "canonical_form", "form", "domain_keys", "domain_point"}`` (tier a, claim true).
  **Theorem C:** a network with at most one hidden layer equals on ``R^n`` its canonical form
  ``Σ_k α_k·relu(u_k·x + β_k) + L x + C`` (keys ``(u, β)`` with first nonzero ``|u_p| = 1``;
  ``relu(−z) = relu(z) − z`` moves negative keys to ``L, C``; equal keys are summed, zero
  ``α`` dropped); so equal forms give equal functions. *On a domain*, a key whose ``ℓ = u·x + β``
  is ``≥ 0`` on ``D`` may be replaced by ``ℓ`` (``nonneg``, folded into ``L, C``) and one with
  ``ℓ ≤ 0`` on ``D`` by ``0`` (``nonpos``, dropped); each such sign is proved on the closed ``D``
  by the Farkas lemma of :func:`_farkas_ok` (``t > 0``). Equal reduced forms give equal
  functions on ``D``. Also checked (they make the form *the* canonical one, and the domain
  full-dimensional as the product requires): ``domain_point`` is an exact interior point,
  every key of both forms is classified, a ``cut`` key has interior points on both sides,
  and ``form`` is the recomputed form.
* ``{"method": "symmetry_moves", "moves": [moves_A, moves_B]}`` (tier b, claim true).
  **Theorem M:** each move below preserves the network function on ``D`` when its
  precondition holds; if the moves turn ``A`` and ``B`` into the identical network then
  ``A = B`` on ``D``. The moves (:mod:`exactnet.relu.moves` defines them; re-implemented here)
  and their checked preconditions: ``permute`` (a permutation); ``scale``/``normalize``
  (factor ``c > 0`` rational: ``relu(cz) = c·relu(z)``); ``fold_constant`` (incoming weights
  all zero); ``silence`` (the unit is never active on ``D``: ``nonpositive`` — layer ≥ 1 with
  weights and bias ``≤ 0``, its inputs being ReLU outputs ``≥ 0``; or ``farkas`` — layer 0, a
  domain, rational weights, and a Farkas proof with ``t > 0`` that ``w·x + b ≤ 0`` on the closed
  ``D``); ``merge`` (``(w_j, b_j) = λ(w_i, b_i)`` with ``λ > 0``); ``remove`` (zero outgoing
  column, another unit left); ``blank`` (zero outgoing column).
* ``{"method": "three_layer_moves", "moves": [...]}`` (tier s, claim true): mechanism moves of
  two-hidden-layer networks taking ``A`` to ``B`` (**Theorem S**, :mod:`.relu_three_layer`); they
  preserve the function on ``R^n``, hence on every domain.
* ``{"method": "region_tree", "moves": [...], "nodes": [...]}`` (tier d, claim true): the moves
  are replayed as above (Theorem M), then **Theorem T** for the reduced networks. Node ``i`` is
  ``{"fix": [[k, layer, unit, label, proof], ...]}`` plus either ``"split": [k, layer, unit],
  "children": [pos, neg]`` or ``"leaf": {"point", "map"}``. The *cell* of a node is the open
  polyhedron of the domain rows and the split rows of its path (all strict). Every hidden unit
  of both networks is decided once per path, layer by layer; its preactivation ``e`` on the
  cell is recomputed from the labels above it. A split adds ``e > 0`` / ``e < 0`` to the
  children's cells. A fixed label ``±1`` needs a Farkas proof (``t > 0``) that ``label·e ≥ 0`` on
  the closed cell: ``{"y": [[i, y_i]], "t"}`` over the cell's rows (domain rows, then split rows
  of the path), or the compact ``{"basis": [i_1..i_n]}`` (``t = 1``, ``y`` the unique solution
  of the ``n×n`` system, solved here exactly); label ``0``/the sign of a constant form needs
  none. A leaf's point must lie strictly inside its cell (so the cell, and ``D``, have
  nonempty interior), and both networks' affine maps there must equal the stated map. With real
  algebraic weights the evidence names the field (``"field"``: defining polynomial and root
  index, which must be the networks' common field), irrational multipliers and map entries are
  lists of power-basis coordinates (:func:`_field_num`), rows are normalised by :func:`_normal`,
  and every test above runs in the field.
  Theorem T: the leaves' cells are disjoint, open, and cover ``int D`` up to finitely many
  hyperplanes (the splits), so their union is dense in ``int D``, whose closure is ``D``
  (convex with an interior point); ``A − B`` is continuous and zero on every leaf cell, hence
  zero on ``D``.
"""

from __future__ import annotations

import math
from operator import itemgetter

from flint import fmpq, fmpq_mat, fmpq_poly

from ..errors import InputError
from ..network.domain import domain_from_obj
from ..numbers import RealAlgebraic, exact_numbers, parse_scalar, sign
from ..numbers.budget import NumberLimitError
from ..certificates import MalformedCertificate, certificate_networks
from .result import CheckResult
from .region_walk import decision_target, undecided, walk

KINDS = ("relu.equivalence",)


# ---------------------------------------------------------------------------------------------
# small exact helpers
# ---------------------------------------------------------------------------------------------


def _rat(v, what: str) -> fmpq:
    x = parse_scalar(v)
    if not isinstance(x, fmpq):
        raise MalformedCertificate(f"certificate: {what} must be rational, got {v!r}")
    return x


def _rat_list(vs, what: str) -> list[fmpq]:
    if not isinstance(vs, list):
        raise MalformedCertificate(f"certificate: {what} must be a list")
    return [_rat(v, what) for v in vs]


def _relu(v):
    return v if sign(v) > 0 else fmpq(0)


def _evaluate(layers, x) -> list:
    """Exact forward pass; ``layers`` = [(W rows, b), ...]."""
    vals = list(x)
    for idx, (W, b) in enumerate(layers):
        out = []
        for row, bias in zip(W, b):
            acc = bias
            for w, v in zip(row, vals):
                if w != 0 and v != 0:
                    acc = acc + w * v
            out.append(acc)
        vals = [_relu(v) for v in out] if idx < len(layers) - 1 else out
    return vals


def _evaluate_many(layers, points, chunk: int = 1024):
    """Exact forward passes at many points, ``chunk`` points at a time as one matrix product per
    layer (FLINT ``fmpq_mat``); yields ``(x, output)`` in the order of ``points``. The same numbers
    as :func:`_evaluate`, far fewer Python operations when networks are wide."""
    it = iter(points)
    mats = [(fmpq_mat(len(W), len(W[0]) if W else 0, [w for row in W for w in row]), list(b)) for W, b in layers]
    while True:
        batch = [tuple(x) for _, x in zip(range(chunk), it)]
        if not batch:
            return
        n, cols = len(batch[0]), len(batch)
        vals = fmpq_mat(n, cols, [batch[j][i] for i in range(n) for j in range(cols)])
        for idx, (W, b) in enumerate(mats):
            if W.ncols() != vals.nrows():
                raise MalformedCertificate("certificate: the layers' widths do not chain")
            z = (W * vals).entries() if W.nrows() and W.ncols() else [fmpq(0)] * (len(b) * cols)
            last = idx == len(mats) - 1
            out = []
            for r, bias in enumerate(b):
                row = z[r * cols:(r + 1) * cols]
                out.extend([v + bias for v in row] if last else [_relu(v + bias) for v in row])
            vals = fmpq_mat(len(b), cols, out)
        flat = vals.entries()
        m = vals.nrows()
        for j, x in enumerate(batch):
            yield x, [flat[k * cols + j] for k in range(m)]


def _primitive(g, h) -> tuple[tuple[int, ...], int]:
    """The primitive integer row positively proportional to ``g·x + h`` (rational data)."""
    entries = [fmpq(v) for v in list(g) + [h]]
    den = 1
    for v in entries:
        q = int(v.q)
        if q != 1:
            den = den * q // math.gcd(den, q)
    ints = [int(v.p) * (den // int(v.q)) for v in entries]
    div = 0
    for a in ints:
        div = math.gcd(div, a)
    if div > 1:
        ints = [a // div for a in ints]
    return tuple(ints[:-1]), ints[-1]


def _row_value(row, x):
    g, h = row
    acc = fmpq(h) if not isinstance(h, RealAlgebraic) else h
    for a, v in zip(g, x):
        if a != 0:
            acc = acc + a * v
    return acc


def _domain_rows(domain) -> list | None:
    """Primitive rows ``−a·x + β ≥ 0`` of ``A x ≤ b`` (rows with ``a = 0`` and ``β ≥ 0`` skipped);
    ``None`` when a constant row makes the domain empty."""
    rows = []
    if domain is None:
        return rows
    for a, beta in domain.constraints():
        g, h = _primitive([-v for v in a], beta)
        if not any(g):
            if h < 0:
                return None
            continue
        rows.append((g, h))
    return rows


def _basis_multipliers(rows, target, basis, n: int):
    """The unique ``y`` with ``Σ_k y_k g_{basis_k} = −g_target`` (``t = 1``), or ``None``."""
    if not (isinstance(basis, list) and len(basis) == n and all(isinstance(i, int) for i in basis)):
        raise MalformedCertificate("certificate: a Farkas basis is a list of n row indices")
    if len(set(basis)) != n or not all(0 <= i < len(rows) for i in basis):
        return None
    A = fmpq_mat(n, n, [rows[i][0][r] for r in range(n) for i in basis])
    if A.det() == 0:
        return None
    y = A.solve(fmpq_mat(n, 1, [-a for a in target[0]]))
    return {"y": [[i, y[k, 0]] for k, i in enumerate(basis)], "t": 1}


def _field_num(v, field, what: str):
    """A region-tree number: a rational literal, or (``field`` given) the list of its rational
    coordinates ``[c_0, …, c_{d−1}]`` in the power basis of ``field`` (``Σ c_k θ^k``)."""
    if isinstance(v, list):
        if field is None:
            raise MalformedCertificate(f"certificate: {what}: coordinates in a number field, but the networks"
                                       " are rational")
        coords = _rat_list(v, what)
        if len(coords) > field.degree:
            raise MalformedCertificate(f"certificate: {what}: more coordinates than the field's degree")
        return field.element(fmpq_poly(coords)) if coords else fmpq(0)
    return v if isinstance(v, fmpq) else _rat(v, what)


def _normal(g, h):
    """The field row ``(g, h)`` divided by ``|c|``, ``c`` its first nonzero entry (the canonical
    positive multiple of a form with real algebraic coefficients, docs/certificates.md)."""
    entries = [v if isinstance(v, RealAlgebraic) else fmpq(v) for v in list(g) + [h]]
    lead = next((v for v in entries if v != 0), None)
    if lead is None:
        return tuple(fmpq(0) for _ in g), fmpq(0)
    scale = lead if sign(lead) > 0 else -lead
    return tuple(v / scale for v in entries[:-1]), entries[-1] / scale


def _farkas_ok(rows, target, proof, n: int, field=None) -> bool:
    """Does ``proof`` show ``ℓ ≤ 0`` on the closed polyhedron ``P = {x : r_i(x) ≥ 0 ∀i}``?

    ``rows`` are ``r_i(x) = g_i·x + h_i`` and ``target`` is ``ℓ(x) = g·x + h``. **Lemma (Farkas,
    affine form).** If ``y ≥ 0`` and ``t > 0`` satisfy ``Σ y_i g_i + t·g = 0`` and
    ``c := Σ y_i h_i + t·h ≤ 0``, then ``Σ y_i r_i(x) + t·ℓ(x) = c`` for every ``x``, so on ``P``
    ``t·ℓ(x) = c − Σ y_i r_i(x) ≤ 0``, i.e. ``ℓ ≤ 0`` on all of ``P`` — with no assumption on the
    dimension of ``P``. The strictness ``t > 0`` is a hypothesis: with ``t = 0`` the identity only
    says ``Σ y_i r_i ≡ c ≤ 0``, i.e. that ``P`` has empty interior, and nothing about ``ℓ`` (that
    gap let a ``silence`` move pass on a point or a line, where the unit is active).

    ``proof`` gives ``y`` and ``t`` explicitly (``{"y": [[i, y_i], ...], "t": t}``), or
    ``{"basis": [...]}``: ``t = 1`` and ``y`` solves the square system on the basis rows
    (rational arithmetic; the result is then checked in full like an explicit proof)."""
    if not isinstance(proof, dict):
        return False
    if "basis" in proof:
        if field is not None:
            return False  # basis proofs are for rational rows
        proof = _basis_multipliers(rows, target, proof["basis"], n)
        if proof is None:
            return False
    ys = proof.get("y")
    if not isinstance(ys, list):
        raise MalformedCertificate("certificate: a Farkas proof needs a list 'y'")
    t = _field_num(proof.get("t", 0), field, "Farkas t")
    if sign(t) <= 0:
        return False
    total_g = [t * a for a in target[0]]
    total_h = t * target[1]
    for item in ys:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], int)):
            raise MalformedCertificate("certificate: Farkas entries are [index, value]")
        i, y = item[0], _field_num(item[1], field, "Farkas multiplier")
        if isinstance(i, bool) or not (0 <= i < len(rows)) or sign(y) < 0:
            return False
        if y == 0:
            continue
        g, h = rows[i]
        for k in range(n):
            if g[k] != 0:
                total_g[k] = total_g[k] + y * g[k]
        total_h = total_h + y * h
    return all(v == 0 for v in total_g) and sign(total_h) <= 0


def _layers(net) -> list:
    return [([list(r) for r in layer.weight], list(layer.bias)) for layer in net.layers]


def _same_number(stated, computed) -> bool:
    """Exact equality of a stated number (JSON literal) and a computed one."""
    try:
        x = parse_scalar(stated)
    except NumberLimitError:
        raise  # over the number budget: refused (exit 2), not "invalid"
    except InputError:
        return False
    if isinstance(x, fmpq):
        return isinstance(computed, fmpq) and x == computed
    if not isinstance(computed, RealAlgebraic):
        return False
    if str(stated).strip() == str(computed):
        return True
    try:  # the same number written over another generator: compare in one common field
        first, second = exact_numbers([stated, str(computed)])
    except NumberLimitError:
        raise
    except InputError:
        return False
    return first == second


# ---------------------------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------------------------


def check(obj: dict) -> CheckResult:
    kind = obj.get("kind")
    if kind not in KINDS:
        raise MalformedCertificate(f"certificate: unknown ReLU certificate kind {kind!r}")
    nets = certificate_networks(obj)
    if len(nets) != 2:
        raise MalformedCertificate("certificate: relu.equivalence needs exactly two networks")
    a, b = nets
    if a.activation != "relu" or b.activation != "relu":
        return CheckResult(False, "both networks must be ReLU networks")
    if a.input_dim != b.input_dim or a.output_dim != b.output_dim:
        return CheckResult(False, "the networks have different input or output dimensions")
    from ..network import common_field

    a, b = common_field(a, b)
    claim, evidence = obj["claim"], obj["evidence"]
    value = claim.get("equivalent")
    if not isinstance(value, bool):
        raise MalformedCertificate("certificate: claim 'equivalent' must be true or false")
    dom_obj = claim.get("domain")
    domain = None if dom_obj is None else domain_from_obj(dom_obj, "certificate domain")
    if domain is not None and domain.dim != a.input_dim:
        return CheckResult(False, "the domain's dimension differs from the networks' input dimension")
    rows = _domain_rows(domain)
    method = evidence.get("method")
    tier = claim.get("tier")
    if method == "witness":
        if value:
            return CheckResult(False, "a witness certifies non-equivalence, but the claim is 'equivalent'")
        return _check_witness(a, b, domain, evidence)
    if not value:
        return CheckResult(False, f"evidence {method!r} certifies equivalence, but the claim is 'not equivalent'")
    if rows is None:
        return CheckResult(False, "the domain is empty")
    expected_tier = {"canonical_form": "a", "symmetry_moves": "b", "region_tree": "d",
                     "three_layer_moves": "s"}.get(method)
    if expected_tier is None:
        raise MalformedCertificate(f"certificate: unknown evidence method {method!r}")
    if tier != expected_tier:
        return CheckResult(False, f"evidence {method!r} belongs to tier {expected_tier!r}, the claim says {tier!r}")
    if method == "canonical_form":
        return _check_canonical(a, b, rows, evidence)
    if method == "symmetry_moves":
        return _check_moves(a, b, rows, evidence)
    if method == "three_layer_moves":
        from .relu_three_layer import check_three_layer_moves

        return check_three_layer_moves(a, b, evidence)
    return _check_tree(a, b, rows, evidence)


# ---------------------------------------------------------------------------------------------
# witness
# ---------------------------------------------------------------------------------------------


def _check_witness(a, b, domain, evidence) -> CheckResult:
    x = _rat_list(evidence.get("point"), "witness point")
    if len(x) != a.input_dim:
        return CheckResult(False, f"the witness has {len(x)} coordinates, the networks take {a.input_dim}")
    if domain is not None and not domain.contains(x):
        return CheckResult(False, "the witness lies outside the domain")
    ya, yb = _evaluate(_layers(a), x), _evaluate(_layers(b), x)
    stated = evidence.get("outputs")
    if stated is not None:
        if not (isinstance(stated, list) and len(stated) == 2 and all(isinstance(s, list) for s in stated)):
            raise MalformedCertificate("certificate: 'outputs' must be two lists")
        for s, y in zip(stated, (ya, yb)):
            if len(s) != len(y) or not all(_same_number(v, c) for v, c in zip(s, y)):
                return CheckResult(False, "the stated outputs at the witness are wrong")
    if ya == yb:
        return CheckResult(False, "the networks agree at the witness")
    return CheckResult(True, "the networks differ at the witness (exact evaluation)")


# ---------------------------------------------------------------------------------------------
# tier (a): canonical forms
# ---------------------------------------------------------------------------------------------


def _canonical(net):
    """``(alpha: {(u, β): α}, L, C)`` of a network with ≤ 1 hidden layer (Theorem C)."""
    layers = _layers(net)
    n, m = net.input_dim, net.output_dim
    if len(layers) == 1:
        W, c = layers[0]
        return {}, [list(r) for r in W], list(c)
    (W1, b1), (W2, c) = layers
    L = [[fmpq(0)] * n for _ in range(m)]
    C = list(c)
    alpha = {}
    for i in range(len(W1)):
        a = [W2[r][i] for r in range(m)]
        if all(v == 0 for v in a):
            continue
        w, b = W1[i], b1[i]
        p = next((k for k, v in enumerate(w) if v != 0), None)
        if p is None:
            if sign(b) > 0:
                C = [C[r] + a[r] * b for r in range(m)]
            continue
        s = sign(w[p])
        lam = w[p] * s
        u = tuple(v * s / lam for v in w)
        beta = b * s / lam
        mu = [lam * v for v in a]
        key = (u, beta)
        old = alpha.get(key, [fmpq(0)] * m)
        alpha[key] = [x + y for x, y in zip(old, mu)]
        if s < 0:
            for r in range(m):
                for k in range(n):
                    L[r][k] = L[r][k] - mu[r] * u[k]
                C[r] = C[r] - mu[r] * beta
    alpha = {k: v for k, v in alpha.items() if any(x != 0 for x in v)}
    return alpha, L, C


def _check_canonical(a, b, rows, evidence) -> CheckResult:
    if a.depth > 1 or b.depth > 1:
        return CheckResult(False, "canonical forms apply to networks with at most one hidden layer")
    forms = [_canonical(a), _canonical(b)]
    n = a.input_dim
    if rows:
        if not (a.is_rational and b.is_rational):
            return CheckResult(False, "domain classifications need rational weights")
        point = _rat_list(evidence.get("domain_point"), "domain_point")
        if len(point) != n or not all(_row_value(r, point) > 0 for r in rows):
            return CheckResult(False, "the domain point is not an interior point of the domain")
        entries = evidence.get("domain_keys")
        if not isinstance(entries, list):
            raise MalformedCertificate("certificate: 'domain_keys' must be a list")
        classes = {}
        for e in entries:
            if not isinstance(e, dict):
                raise MalformedCertificate("certificate: a domain key entry must be an object")
            u = tuple(_rat_list(e.get("u"), "key u"))
            beta = _rat(e.get("beta"), "key beta")
            if len(u) != n:
                return CheckResult(False, "a domain key has the wrong dimension")
            row = _primitive(u, beta)
            kind = e.get("class")
            if kind == "cut":
                pts = e.get("points")
                if not (isinstance(pts, list) and len(pts) == 2):
                    raise MalformedCertificate("certificate: a cut key needs two points")
                p_pos, p_neg = (_rat_list(p, "cut point") for p in pts)
                if len(p_pos) != n or len(p_neg) != n:
                    return CheckResult(False, "a cut point has the wrong dimension")
                ok = (all(_row_value(r, p_pos) > 0 for r in rows) and all(_row_value(r, p_neg) > 0 for r in rows)
                      and _row_value(row, p_pos) > 0 and _row_value(row, p_neg) < 0)
            elif kind in ("nonneg", "nonpos"):
                target = (tuple(-v for v in row[0]), -row[1]) if kind == "nonneg" else row
                ok = _farkas_ok(rows, target, e.get("farkas"), n)
            else:
                raise MalformedCertificate(f"certificate: unknown key class {kind!r}")
            if not ok:
                return CheckResult(False, f"the classification of the key {row} on the domain does not verify")
            classes[(u, beta)] = kind
        reduced = []
        for alpha, L, C in forms:
            L = [list(r) for r in L]
            C = list(C)
            kept = {}
            for key, al in alpha.items():
                kind = classes.get(key)
                if kind is None:
                    return CheckResult(False, "a key of a canonical form has no domain classification")
                if kind == "cut":
                    kept[key] = al
                elif kind == "nonneg":
                    u, beta = key
                    for r in range(len(C)):
                        for k in range(n):
                            L[r][k] = L[r][k] + al[r] * u[k]
                        C[r] = C[r] + al[r] * beta
            reduced.append((kept, L, C))
        forms = reduced
    (alpha_a, L_a, C_a), (alpha_b, L_b, C_b) = forms
    if alpha_a != alpha_b or L_a != L_b or C_a != C_b:
        return CheckResult(False, "the canonical forms of the two networks differ")
    stated = evidence.get("form")
    if not isinstance(stated, dict):
        raise MalformedCertificate("certificate: 'form' must be an object")
    try:
        keys = stated["keys"]
        ok = len(keys) == len(alpha_a)
        for e in keys:
            u = tuple(e["u"])
            match = None
            for key, al in alpha_a.items():
                if len(key[0]) == len(u) and all(_same_number(s, c) for s, c in zip(u, key[0])) \
                        and _same_number(e["beta"], key[1]):
                    match = al
                    break
            ok = ok and match is not None and len(e["alpha"]) == len(match) \
                and all(_same_number(s, c) for s, c in zip(e["alpha"], match))
        ok = ok and len(stated["linear"]) == len(L_a) and all(
            len(sr) == len(cr) and all(_same_number(s, c) for s, c in zip(sr, cr))
            for sr, cr in zip(stated["linear"], L_a))
        ok = ok and len(stated["constant"]) == len(C_a) and all(
            _same_number(s, c) for s, c in zip(stated["constant"], C_a))
    except (KeyError, TypeError) as exc:
        raise MalformedCertificate(f"certificate: malformed canonical form ({exc})") from None
    if not ok:
        return CheckResult(False, "the stated canonical form differs from the recomputed one")
    where = "on the domain" if rows else "on R^n"
    return CheckResult(True, f"equal canonical forms {where} (Theorem C, docs/certificates.md)")


# ---------------------------------------------------------------------------------------------
# tier (b): symmetry moves
# ---------------------------------------------------------------------------------------------


class _BadMove(Exception):
    pass


def _replay(net, moves, rows) -> list:
    """Apply the moves to a copy of the network's layers, checking each precondition."""
    layers = _layers(net)
    W = [L[0] for L in layers]
    B = [L[1] for L in layers]
    hidden = len(W) - 1
    if not isinstance(moves, list):
        raise MalformedCertificate("certificate: moves must be a list")
    pos = 0
    while pos < len(moves):
        mv = moves[pos]
        pos += 1
        if not isinstance(mv, dict):
            raise MalformedCertificate("certificate: a move must be an object")
        op, layer = mv.get("op"), mv.get("layer")
        if not isinstance(layer, int) or not (0 <= layer < hidden):
            raise _BadMove(f"move {op}: no hidden layer {layer}")
        width = len(W[layer])
        nxt = W[layer + 1]
        if op == "normalize":  # a run of them on distinct units of one layer: one pass over the next layer
            units = [mv.get("unit")]
            while (pos < len(moves) and isinstance(moves[pos], dict) and moves[pos].get("op") == "normalize"
                   and moves[pos].get("layer") == layer and moves[pos].get("unit") not in units):
                units.append(moves[pos].get("unit"))
                pos += 1
            _normalize_run(W, B, layer, units)
            continue
        if op == "permute":
            order = mv.get("order")
            if not isinstance(order, list) or sorted(order) != list(range(width)):
                raise _BadMove("permute: not a permutation")
            W[layer] = [W[layer][k] for k in order]
            B[layer] = [B[layer][k] for k in order]
            pick = itemgetter(*order) if width > 1 else (lambda row: (row[order[0]],))
            W[layer + 1] = [list(pick(row)) for row in nxt]  # (itemgetter: one C call per row)
            continue
        j = mv.get("unit")
        if not isinstance(j, int) or not (0 <= j < width):
            raise _BadMove(f"move {op}: no unit {j}")
        w, bj = W[layer][j], B[layer][j]
        out_zero = all(row[j] == 0 for row in nxt)
        if op == "scale":
            c = _rat(mv.get("factor"), "scale factor")
            if sign(c) <= 0:
                raise _BadMove("scale: non-positive factor")
            W[layer][j] = [c * v for v in w]
            B[layer][j] = c * bj
            for row in nxt:
                row[j] = row[j] / c
        elif op == "fold_constant":
            if any(v != 0 for v in w):
                raise _BadMove("fold_constant: non-zero incoming weights")
            s = _relu(bj)
            for r, row in enumerate(nxt):
                B[layer + 1][r] = B[layer + 1][r] + row[j] * s
                row[j] = fmpq(0)
        elif op == "silence":
            proof = mv.get("proof")
            if not isinstance(proof, dict):
                raise MalformedCertificate("certificate: silence needs a proof object")
            if proof.get("kind") == "nonpositive":
                if layer == 0 or any(sign(v) > 0 for v in w) or sign(bj) > 0:
                    raise _BadMove("silence: the unit is not non-positive")
            elif proof.get("kind") == "farkas":
                if layer != 0 or not rows:
                    raise _BadMove("silence: Farkas proofs apply to first-layer units on a domain")
                if not all(isinstance(v, fmpq) for v in w) or not isinstance(bj, fmpq):
                    raise _BadMove("silence: Farkas proofs need rational weights")
                if not _farkas_ok(rows, _primitive(w, bj), proof, len(w)):
                    raise _BadMove("silence: the Farkas proof does not verify")
            else:
                raise MalformedCertificate("certificate: unknown silence proof")
            for row in nxt:
                row[j] = fmpq(0)
        elif op == "merge":
            i = mv.get("into")
            if not isinstance(i, int) or not (0 <= i < width) or i == j:
                raise _BadMove("merge: bad target unit")
            src, dst = list(W[layer][i]) + [B[layer][i]], list(w) + [bj]
            lam = None
            for x, y in zip(src, dst):
                if x == 0:
                    if y != 0:
                        raise _BadMove("merge: not proportional")
                    continue
                r = y / x
                if lam is None:
                    lam = r
                elif r != lam:
                    raise _BadMove("merge: not proportional")
            if lam is None or sign(lam) <= 0:
                raise _BadMove("merge: not positively proportional")
            for row in nxt:
                row[i] = row[i] + lam * row[j]
                row[j] = fmpq(0)
        elif op == "remove":
            if not out_zero or width < 2:
                raise _BadMove("remove: the unit still has outgoing weights (or is the last one)")
            del W[layer][j]
            del B[layer][j]
            for row in nxt:
                del row[j]
        elif op == "blank":
            if not out_zero:
                raise _BadMove("blank: the unit still has outgoing weights")
            W[layer][j] = [fmpq(0)] * len(w)
            B[layer][j] = fmpq(0)
        else:
            raise MalformedCertificate(f"certificate: unknown move {op!r}")
    return list(zip(W, B))


def _normalize_run(W, B, layer: int, units: list) -> None:
    """``normalize`` (scale by ``c = 1/|first non-zero incoming weight|``) on distinct units of one
    layer. Each move changes only its unit's incoming row and bias and its outgoing column (divided by
    ``c``, i.e. multiplied by ``|lead|``), so doing them together equals doing them in turn."""
    width = len(W[layer])
    factor = [None] * width
    for j in units:
        if not isinstance(j, int) or isinstance(j, bool) or not (0 <= j < width):
            raise _BadMove(f"move normalize: no unit {j}")
        w = W[layer][j]
        lead = next((v for v in w if v != 0), None)
        if lead is None:
            raise _BadMove("normalize: zero incoming weights")
        size = lead * sign(lead)
        c = 1 / size
        W[layer][j] = [c * v for v in w]
        B[layer][j] = c * B[layer][j]
        factor[j] = size
    W[layer + 1] = [[v if f is None else v * f for v, f in zip(row, factor)] for row in W[layer + 1]]


def _replay_both(a, b, rows, evidence):
    moves = evidence.get("moves")
    if not (isinstance(moves, list) and len(moves) == 2):
        raise MalformedCertificate("certificate: 'moves' must be a list of two move lists")
    return _replay(a, moves[0], rows), _replay(b, moves[1], rows)


def _check_moves(a, b, rows, evidence) -> CheckResult:
    try:
        la, lb = _replay_both(a, b, rows, evidence)
    except _BadMove as exc:
        return CheckResult(False, f"invalid move: {exc}")
    if la != lb:
        return CheckResult(False, "the moves do not lead to the same network")
    return CheckResult(True, "function-preserving moves turn both networks into the same network (Theorem M)")


# ---------------------------------------------------------------------------------------------
# tier (d): region tree
# ---------------------------------------------------------------------------------------------


class _Net:
    """One network's enumeration state on a path: decided labels and the current layer's forms.

    ``forms[j] = (g, h)``: the preactivation of unit ``j`` of the current layer as an exact affine
    function of the input on the cell (computed from the labels of the earlier layers).
    """

    __slots__ = ("layers", "layer", "labels", "forms", "out", "n", "field")

    def __init__(self, layers, n, field=None):
        self.layers, self.n, self.field = layers, n, field
        self.layer = 0
        self.labels: dict = {}
        identity = [[fmpq(1) if i == k else fmpq(0) for k in range(n + 1)] for i in range(n + 1)]
        self.forms = self._apply(0, identity)
        self.out = self.forms if len(layers) == 1 else None

    def copy(self) -> "_Net":
        c = _Net.__new__(_Net)
        c.layers, c.layer, c.labels, c.forms, c.out, c.n, c.field = (
            self.layers, self.layer, dict(self.labels), self.forms, self.out, self.n, self.field)
        return c

    def _apply(self, idx: int, prev):
        """Forms of layer ``idx`` given the homogeneous matrix ``prev`` ((width+1)×(n+1), rows) of
        its inputs: ``fmpq_mat`` products for rational layers, exact field arithmetic otherwise."""
        W, b = self.layers[idx]
        n = self.n
        hat = [list(row) + [bias] for row, bias in zip(W, b)]
        if self.field is None:
            F = fmpq_mat(hat) * fmpq_mat(prev)
            return [([F[i, k] for k in range(n)], F[i, n]) for i in range(len(W))]
        out = []
        for row in hat:
            acc = [fmpq(0)] * (n + 1)
            for a, prow in zip(row, prev):
                if a != 0:
                    for k, v in enumerate(prow):
                        if v != 0:
                            acc[k] = acc[k] + a * v
            out.append((acc[:n], acc[n]))
        return out

    def form(self, unit: int):
        return self.forms[unit]

    def decide(self, unit: int, label: int, form) -> None:
        self.labels[unit] = label
        width = len(self.layers[self.layer][0])
        if len(self.labels) < width:
            return
        n = self.n
        prev = []
        for j in range(width):
            g, h = self.forms[j]
            prev.append(list(g) + [h] if self.labels[j] == 1 else [fmpq(0)] * (n + 1))
        prev.append([fmpq(0)] * n + [fmpq(1)])
        self.layer += 1
        self.labels = {}
        self.forms = self._apply(self.layer, prev)
        if self.layer == len(self.layers) - 1:
            self.out = self.forms


def _tree_field(la, lb, evidence):
    """The number field of the replayed networks' real algebraic entries (``None``: all rational),
    and an error text when the evidence states another field."""
    field = next((v.field for layers in (la, lb) for W, B in layers for row in W + [B] for v in row
                  if isinstance(v, RealAlgebraic)), None)
    stated = evidence.get("field")
    if stated is None or field is None:
        return field, None
    poly = stated.get("polynomial")
    same = (isinstance(poly, list) and [int(c) for c in field.root.poly.coeffs()] == poly
            and stated.get("root_index") == field.root.index)
    return field, None if same else "the stated number field is not the networks' common number field"


def _check_tree(a, b, rows, evidence) -> CheckResult:
    try:
        la, lb = _replay_both(a, b, rows, evidence)
    except _BadMove as exc:
        return CheckResult(False, f"invalid move: {exc}")
    nodes = evidence.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        raise MalformedCertificate("certificate: 'nodes' must be a non-empty list")
    n = a.input_dim
    field, bad_field = _tree_field(la, lb, evidence)
    if bad_field:
        return CheckResult(False, bad_field)
    if field is not None:  # rows over the field are held in the canonical form of _normal
        rows = [_normal(g, h) for g, h in rows]
    primitive = _primitive if field is None else _normal

    def farkas(cell, target, proof):
        return _farkas_ok(cell, target, proof, n, field)

    def at_leaf(idx, node, cell, nets, state):
        leaf = node.get("leaf")
        if not isinstance(leaf, dict):
            raise MalformedCertificate(f"certificate: node {idx} is neither a split nor a leaf")
        bad = undecided(idx, nets)
        if bad is not None:
            return bad
        point = _rat_list(leaf.get("point"), "leaf point")
        if len(point) != n or not all(sign(_row_value(r, point)) > 0 for r in cell):
            return CheckResult(False, f"node {idx}: the leaf point is not inside its cell")
        stated = leaf.get("map")
        if not isinstance(stated, dict):
            raise MalformedCertificate(f"certificate: node {idx}: a leaf needs its affine map")
        weight = [[_field_num(v, field, "map weight") for v in r] for r in stated.get("weight", [])]
        bias = [_field_num(v, field, "map bias") for v in stated.get("bias")]
        for s in nets:
            if [g for g, _ in s.out] != weight or [h for _, h in s.out] != bias:
                return CheckResult(False, f"node {idx}: a network's affine map on a cell differs from the stated map")
        return None

    got = walk(nodes, [(0, rows, [_Net(la, n, field), _Net(lb, n, field)], None)], primitive, farkas, at_leaf)
    if isinstance(got, CheckResult):
        return got
    return CheckResult(True, f"equal affine maps on all {got['leaves']} cells of a verified region tree"
                             " (Theorem T, docs/certificates.md)")


# Shared with the other ReLU checkers under public names: check/relu_stable.py (the move replay,
# Theorem M, and the exact readers), check/relu_stream.py (the streamed region tree) and
# check/relu_difference.py / check/relu_field_difference.py (the region nets and Farkas checks, for
# the tree walk of check/region_walk.py that proves the maximum-difference and top-1 bounds there).
BadMove = _BadMove
domain_rows = _domain_rows
network_layers = _layers
rational = _rat
replay_both = _replay_both
replay_moves = _replay
RegionNet = _Net
evaluate = _evaluate
evaluate_many = _evaluate_many
farkas_ok = _farkas_ok
field_number = _field_num
normal_form = _normal
same_number = _same_number
layer_lists = _layers
primitive = _primitive
rational_list = _rat_list

__all__ = ["BadMove", "KINDS", "RegionNet", "check", "decision_target", "domain_rows", "evaluate", "evaluate_many", "farkas_ok",
           "field_number", "layer_lists", "normal_form", "same_number", "network_layers", "primitive", "rational", "rational_list", "replay_both", "replay_moves"]
