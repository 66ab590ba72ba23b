"""How a certificate carries its networks: inline ``exactnet.network/1`` objects, written compactly
when they are large (``docs/certificates.md``, "Networks in a certificate").

* **Plain** (every certificate of a small network, and every network with real algebraic
  weights): the ``exactnet.network/1`` object, numbers as JSON integers and ``"p/q"`` strings.
* **Compact** (rational networks with more than :data:`COMPACT_MIN_NUMBERS` weights and biases):
  each layer is ``{"denominator": d, "weight": [[n_11, …], …], "bias": [m_1, …]}`` with JSON
  integers: the layer's entries are ``n_ij / d`` and ``m_i / d``, ``d ≥ 1`` (the writer uses the
  least common denominator of the layer, so the encoding of a network is unique). Writing and
  reading avoid one string conversion per entry (FLINT matrices and JSON integers; a
  3-2048-2048-1 network: 171 MB → 134 MB per certificate, about 7× faster both ways).
"""

from __future__ import annotations

from flint import fmpq, fmpq_mat

from ..errors import FormatError

#: Networks with more numbers than this are written compactly (smaller ones stay readable).
COMPACT_MIN_NUMBERS = 10_000


def _count(net) -> int:
    return sum(layer.out_dim * (layer.in_dim + 1) for layer in net.layers)


def network_obj(net) -> dict:
    """The object a certificate carries for ``net``: compact when rational and large, else plain."""
    from ..network import network_to_obj

    if net.is_rational and _count(net) > COMPACT_MIN_NUMBERS:
        return compact_network_obj(net)
    return network_to_obj(net)


def compact_network_obj(net) -> dict:
    """The compact ``exactnet.network/1`` object of a rational network: per layer the least common
    denominator ``d`` of its weights and biases and the integers ``d·w``, ``d·b``."""
    layers = []
    for layer in net.layers:
        k = layer.in_dim + 1
        flat: list = []
        for row, b in zip(layer.weight, layer.bias):
            flat.extend(row)
            flat.append(b)
        numerators, d = fmpq_mat(layer.out_dim, k, flat).numer_denom()
        ints = [int(v) for v in numerators.entries()]
        layers.append({"denominator": int(d),
                       "weight": [ints[i:i + k - 1] for i in range(0, len(ints), k)],
                       "bias": ints[k - 1::k]})
    return {"format": "exactnet.network/1", "activation": net.activation, "layers": layers}


def is_compact(obj) -> bool:
    """Whether a network object uses compact layers (a ``denominator`` in any layer: the compact
    reader then requires it in every layer)."""
    layers = obj.get("layers") if isinstance(obj, dict) else None
    return isinstance(layers, list) and any(isinstance(L, dict) and "denominator" in L for L in layers)


def compact_network_from_obj(obj, source: str = "network"):
    """The :class:`~exactnet.network.Network` of a compact object (every layer compact, every entry
    a JSON integer, ``denominator ≥ 1``, a rectangular weight matrix); else :class:`FormatError`."""
    from ..network import Layer, Network
    from ..network.limits import MAX_ELEMENTS

    activation, layers = obj.get("activation"), obj.get("layers")
    if set(obj) != {"format", "activation", "layers"} or obj.get("format") != "exactnet.network/1":
        raise FormatError(f"{source}: a network needs exactly 'format': 'exactnet.network/1', 'activation', 'layers'")
    if not isinstance(layers, list) or not layers:
        raise FormatError(f"{source}: 'layers' must be a non-empty list")
    total = 0
    for k, layer in enumerate(layers, start=1):
        where = f"{source}: layer {k}"
        if not isinstance(layer, dict) or set(layer) != {"denominator", "weight", "bias"}:
            raise FormatError(f"{where}: a compact layer is exactly {{'denominator', 'weight', 'bias'}}"
                              " (every layer of a network is compact, or none)")
        d, weight, bias = layer["denominator"], layer["weight"], layer["bias"]
        if type(d) is not int or d < 1:
            raise FormatError(f"{where}: 'denominator' must be an integer ≥ 1")
        if (not isinstance(weight, list) or not weight or not all(isinstance(r, list) for r in weight)
                or not isinstance(bias, list)):
            raise FormatError(f"{where}: 'weight' must be a non-empty list of rows and 'bias' a list")
        cols = len(weight[0])
        if cols == 0 or any(len(r) != cols for r in weight) or len(bias) != len(weight):
            raise FormatError(f"{where}: the weight matrix must be rectangular with one bias per row")
        total += len(weight) * (cols + 1)
        if total > MAX_ELEMENTS:
            raise FormatError(f"{source}: the network has more than {MAX_ELEMENTS:,} weights and biases, the"
                              " limit of numbers per network")
        if not all(set(map(type, r)) <= {int} for r in weight) or not set(map(type, bias)) <= {int}:
            raise FormatError(f"{where}: the entries of a compact layer must be JSON integers")
    built = []
    for layer in layers:
        d, weight, bias = layer["denominator"], layer["weight"], layer["bias"]
        rows = tuple(tuple([fmpq(v, d) for v in r]) for r in weight)  # (faster than through fmpz_mat)
        built.append(Layer(rows, tuple([fmpq(v, d) for v in bias])))
    return Network(activation, tuple(built))


__all__ = ["COMPACT_MIN_NUMBERS", "compact_network_from_obj", "compact_network_obj", "is_compact", "network_obj"]


# ---------------------------------------------------------------------------------------------
# networks by reference: {"sha256": hex} instead of the network (the checker is given the network)
# ---------------------------------------------------------------------------------------------


def network_digest(net) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of :func:`network_obj` of
    ``net``: what a certificate states when it refers to the network instead of carrying it."""
    import hashlib
    import json

    text = json.dumps(network_obj(net), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_reference(obj) -> bool:
    """Whether a certificate's network entry refers to a network by digest (``{"sha256": hex}``)."""
    return isinstance(obj, dict) and "sha256" in obj


def by_reference(cert: dict, networks) -> dict:
    """``cert`` (unsealed) with each inline network replaced by its digest entry ``{"sha256":
    network_digest(net)}``: a certificate of a few kilobytes that the checker verifies against the
    network files the user already has (``exactnet check CERT --network A --network B``)."""
    refs = [{"sha256": network_digest(net)} for net in networks]
    if len(refs) != len(cert["networks"]):
        raise ValueError("by_reference: one network per certificate network is needed")
    return {**{k: v for k, v in cert.items() if k != "digest"}, "networks": refs}


def resolve_references(cert: dict, given) -> dict:
    """The certificate with its network references replaced by the given networks (in order), for
    the checkers (:func:`exactnet.certificates.certificate_networks` returns them as they are).

    Raises :class:`FormatError` (exit 2) when the certificate refers to networks and none or too few
    are given; returns ``None`` when a given network does not have the referenced digest."""
    nets = cert.get("networks")
    if not isinstance(nets, list) or not any(is_reference(n) for n in nets):
        return cert
    given = list(given or ())
    if len(given) != len(nets):
        raise FormatError(f"this certificate refers to its {len(nets)} networks by their SHA-256 digest; give the"
                          f" network files in order (exactnet check CERT --network A --network B), {len(given)}"
                          " were given")
    out = []
    for entry, net in zip(nets, given):
        if is_reference(entry):
            if network_digest(net) != entry["sha256"]:
                return None
            out.append(net)
        else:
            out.append(entry)
    return {**cert, "networks": out}


__all__ += ["by_reference", "is_reference", "network_digest", "resolve_references"]
