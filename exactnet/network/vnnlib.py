"""The input constraints of VNN-LIB files (the property format of VNN-COMP, SMT-LIB syntax).

Read exactly (``docs/domains.md``):

* declarations ``(declare-const X_i Real)`` (or ``(declare-fun X_i () Real)``) of the inputs
  ``X_0 … X_{n-1}`` (every index from 0 to n−1, each once) and, optionally, outputs ``Y_k``;
* ``(assert F)`` where ``F`` is built from ``(<= s t …)``, ``(>= s t …)`` and ``(= s t …)``
  (chains allowed), ``(and F …)`` and ``(or F …)``; the terms ``s, t`` are linear:
  numerals, variables, ``(+ …)``, ``(- …)``, ``(* c t)`` with all factors but one constant,
  ``(/ t c)`` with a non-zero constant ``c``;
* numerals are decimals read exactly: ``0.6`` is ``3/5`` (``-0.3``, ``1e-5`` and ``(- 0.3)`` are
  accepted too), never a binary float;
* ``(check-sat)``, ``(get-model)``, ``(set-info …)``, ``(set-logic …)``, ``(set-option …)`` and
  ``(exit)`` are ignored; comments run from ``;`` to the end of the line.

The asserted formulas are put in disjunctive normal form: one conjunction gives a
:class:`~exactnet.network.domain.Box` (when every constraint bounds one input and every input
gets ``lower < upper``) or a :class:`~exactnet.network.domain.Polyhedron`; several give a
:class:`~exactnet.network.domain_union.PolyhedronUnion` (at most :data:`MAX_PARTS` parts).

Refused with one line naming the line of the file: constraints on outputs ``Y_k`` (equivalence
questions have no output property; ``ignore_outputs=True`` drops whole ``assert``\\ s that only
mention outputs), non-linear terms, strict inequalities ``<``/``>`` and ``not`` (domains are
closed), unknown or undeclared variables, duplicate declarations, sorts other than ``Real``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flint import fmpq

from ..errors import FormatError, InputError, UnsupportedError
from ..numbers import parse_rational
from .domain import Box, Polyhedron
from .domain_union import PolyhedronUnion

#: The most polyhedra a disjunctive normal form may have.
MAX_PARTS = 4096
#: The deepest nesting of parentheses read.
MAX_DEPTH = 200
#: The largest file read (bytes).
MAX_BYTES = 1 << 28

_TOKEN = re.compile(r"""\s*(?:(;[^\n]*)|(\()|(\))|("(?:[^"]|"")*")|(\|[^|]*\|)|([^\s()";|]+))""")
_NUMERAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_VARIABLE = re.compile(r"([XY])_(0|[1-9][0-9]*)\Z")
_IGNORED = frozenset({"check-sat", "get-model", "set-info", "set-logic", "set-option", "exit", "get-info"})


class VnnlibError(FormatError):
    """A VNN-LIB file exactnet cannot read as an input domain (exit 2)."""


@dataclass(frozen=True)
class _Node:
    """An s-expression: ``items`` for a list (``None`` for an atom), ``text`` for an atom."""

    line: int
    text: str | None = None
    items: tuple | None = None
    quoted: bool = False  # |…| symbols are never numerals

    @property
    def head(self) -> str | None:
        if self.items and self.items[0].text is not None:
            return self.items[0].text
        return None

    def show(self, limit: int = 60) -> str:
        s = self._show()
        return s if len(s) <= limit else s[: limit - 1] + "…"

    def _show(self) -> str:
        if self.items is None:
            return self.text
        return "(" + " ".join(i._show() for i in self.items[:8]) + (" …" if len(self.items) > 8 else "") + ")"


def _parse(text: str, source: str) -> list[_Node]:
    """The top-level s-expressions of ``text`` (iteratively: no recursion on nesting)."""
    stack: list[tuple[int, list]] = []
    top: list[_Node] = []
    line = 1
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            rest = text[pos:].lstrip()
            if not rest:
                break
            line += text.count("\n", pos, len(text) - len(rest))
            raise VnnlibError(f"{source}: line {line}: cannot read {rest[:20]!r}")
        line += text.count("\n", pos, m.start(m.lastindex))
        comment, open_, close, string, quoted, atom = m.groups()
        if open_:
            stack.append((line, []))
            if len(stack) > MAX_DEPTH:
                raise VnnlibError(f"{source}: line {line}: nested more than {MAX_DEPTH} levels deep")
        elif close:
            if not stack:
                raise VnnlibError(f"{source}: line {line}: ')' without a matching '('")
            start, items = stack.pop()
            node = _Node(start, items=tuple(items))
            (stack[-1][1] if stack else top).append(node)
        elif comment is None:
            tok = string or atom or quoted[1:-1]
            node = _Node(line, text=tok, quoted=quoted is not None)
            if not stack:
                raise VnnlibError(f"{source}: line {line}: {tok!r} outside parentheses")
            stack[-1][1].append(node)
        line += text.count("\n", m.start(m.lastindex), m.end())
        pos = m.end()
    if stack:
        raise VnnlibError(f"{source}: line {stack[-1][0]}: '(' is never closed (truncated file?)")
    return top


# ---------------------------------------------------------------------------------------------
# linear terms and formulas
# ---------------------------------------------------------------------------------------------

# A linear term: (coefficients by variable name, constant).
_Term = tuple[dict, fmpq]


class _Reader:
    def __init__(self, source: str):
        self.source = source
        self.declared: dict[str, int] = {}  # name → line

    def fail(self, node: _Node, message: str, kind=VnnlibError):
        raise kind(f"{self.source}: line {node.line}: {message}")

    # -- declarations --------------------------------------------------------------------------
    def declare(self, node: _Node) -> None:
        items = node.items
        head = node.head
        if head == "declare-const" and len(items) == 3:
            name, sort = items[1], items[2]
        elif head == "declare-fun" and len(items) == 4 and items[2].items == ():
            name, sort = items[1], items[3]
        else:
            self.fail(node, f"malformed declaration {node.show()} (expected (declare-const X_0 Real))")
        if name.text is None:
            self.fail(node, f"malformed declaration {node.show()}")
        if sort.text != "Real":
            self.fail(node, f"{name.text} is declared of sort {sort.show()}; exactnet reads Real variables only",
                      UnsupportedError)
        if not _VARIABLE.match(name.text):
            self.fail(node, f"the variable {name.text!r} is neither an input X_i nor an output Y_i"
                            " (VNN-LIB names the inputs X_0, X_1, … and the outputs Y_0, Y_1, …)")
        if name.text in self.declared:
            self.fail(node, f"{name.text} is declared twice (first on line {self.declared[name.text]})")
        self.declared[name.text] = node.line

    def inputs(self) -> int:
        idx = sorted(int(_VARIABLE.match(n).group(2)) for n in self.declared if n.startswith("X"))
        if not idx:
            raise VnnlibError(f"{self.source}: no input variables declared (expected (declare-const X_0 Real), …)")
        for expect, got in enumerate(idx):
            if expect != got:
                raise VnnlibError(f"{self.source}: X_{expect} is not declared but X_{got} is"
                                  " (the inputs must be X_0 … X_{n-1})")
        return len(idx)

    # -- terms ---------------------------------------------------------------------------------
    def term(self, node: _Node) -> _Term:
        if node.items is None:
            tok = node.text
            if not node.quoted and _NUMERAL.match(tok):
                return {}, self.numeral(node)
            if tok in self.declared:
                return {tok: fmpq(1)}, fmpq(0)
            if _VARIABLE.match(tok):
                self.fail(node, f"the variable {tok} is used but not declared (add (declare-const {tok} Real))")
            self.fail(node, f"unknown variable or symbol {tok!r}")
        head = node.head
        args = node.items[1:]
        if head is None or not args:
            self.fail(node, f"malformed term {node.show()}")
        parts = [self.term(a) for a in args]
        if head == "+":
            return _add(parts)
        if head == "-":
            if len(parts) == 1:
                return _scale(parts[0], fmpq(-1))
            return _add([parts[0]] + [_scale(p, fmpq(-1)) for p in parts[1:]])
        if head == "*":
            nonconst = [p for p in parts if p[0]]
            if len(nonconst) > 1:
                self.fail(node, f"non-linear term {node.show()} (a product of variables); exactnet reads"
                                " linear constraints only", UnsupportedError)
            factor = fmpq(1)
            for coeffs, const in parts:
                if not coeffs:
                    factor *= const
            return _scale(nonconst[0], factor) if nonconst else ({}, factor)
        if head == "/":
            if len(parts) < 2 or any(p[0] for p in parts[1:]):
                self.fail(node, f"non-linear term {node.show()} (division by a variable)", UnsupportedError)
            result = parts[0]
            for coeffs, const in parts[1:]:
                if const == 0:
                    self.fail(node, f"division by zero in {node.show()}")
                result = _scale(result, 1 / const)
            return result
        self.fail(node, f"unsupported term {node.show()} (linear terms use numerals, variables, +, -, * by"
                        " constants and / by constants)", UnsupportedError)

    def numeral(self, node: _Node) -> fmpq:
        value = parse_rational(node.text)
        if value is None:  # pragma: no cover - the regex admits only decimal numerals
            self.fail(node, f"cannot read the number {node.text!r}")
        return value

    # -- formulas → DNF (list of conjunctions; a conjunction is a list of (a, β): a·x ≤ β) ------
    def formula(self, node: _Node) -> list[list[tuple[dict, fmpq]]]:
        if node.items is None:
            if node.text == "true":
                return [[]]
            if node.text == "false":
                return []
            self.fail(node, f"expected a constraint, found {node.text!r}")
        head = node.head
        args = node.items[1:]
        if head == "and":
            result: list = [[]]
            for a in args:
                result = self._product(result, self.formula(a), node)
            return result
        if head == "or":
            result = []
            for a in args:
                result.extend(self.formula(a))
                self._check_parts(len(result), node)
            return result
        if head in ("<=", ">=", "="):
            if len(args) < 2:
                self.fail(node, f"{head} needs two terms: {node.show()}")
            terms = [self.term(a) for a in args]
            self._no_outputs(node, terms)
            rows = []
            for s, t in zip(terms, terms[1:]):
                if head in ("<=", "="):
                    rows.append(_diff(s, t))  # s − t ≤ 0
                if head in (">=", "="):
                    rows.append(_diff(t, s))
            return [rows]
        if head in ("<", ">"):
            self.fail(node, f"strict inequality {node.show()}: exactnet's domains are closed; use <= or >=",
                      UnsupportedError)
        if head in ("not", "=>", "xor", "ite", "distinct"):
            self.fail(node, f"'{head}' is not supported in input constraints ({node.show()}); use <=, >=, =, and, or",
                      UnsupportedError)
        self.fail(node, f"expected a constraint (<=, >=, =, and, or), found {node.show()}")

    def _no_outputs(self, node: _Node, terms) -> None:
        for coeffs, _ in terms:
            for name in coeffs:
                if name.startswith("Y"):
                    self.fail(node, f"output constraint on {name} ({node.show(40)}): exactnet reads only the input"
                                    " constraints X_i of a VNN-LIB file (equivalence questions have no output"
                                    " property); remove the output constraints", UnsupportedError)

    def _product(self, left, right, node):
        self._check_parts(len(left) * len(right), node)
        return [a + b for a in left for b in right]

    def _check_parts(self, count: int, node: _Node) -> None:
        if count > MAX_PARTS:
            self.fail(node, f"the disjunctions describe more than {MAX_PARTS} polyhedra (at most {MAX_PARTS}"
                            " are read)", UnsupportedError)


def _add(parts) -> _Term:
    coeffs: dict = {}
    const = fmpq(0)
    for c, k in parts:
        for name, v in c.items():
            coeffs[name] = coeffs.get(name, fmpq(0)) + v
        const += k
    return {n: v for n, v in coeffs.items() if v != 0}, const


def _scale(term: _Term, factor: fmpq) -> _Term:
    coeffs, const = term
    if factor == 0:
        return {}, fmpq(0)
    return {n: v * factor for n, v in coeffs.items()}, const * factor


def _diff(s: _Term, t: _Term) -> tuple[dict, fmpq]:
    """``s ≤ t`` as ``a·x ≤ β``."""
    coeffs, const = _add([s, _scale(t, fmpq(-1))])
    return coeffs, -const


def _mentions_outputs(node: _Node) -> bool:
    todo = [node]
    while todo:
        n = todo.pop()
        if n.items is None:
            if n.text.startswith("Y_") and _VARIABLE.match(n.text):
                return True
        else:
            todo.extend(n.items)
    return False


def _mentions_inputs(node: _Node) -> bool:
    todo = [node]
    while todo:
        n = todo.pop()
        if n.items is None:
            if n.text.startswith("X_") and _VARIABLE.match(n.text):
                return True
        else:
            todo.extend(n.items)
    return False


# ---------------------------------------------------------------------------------------------
# conjunctions → polyhedra
# ---------------------------------------------------------------------------------------------


def _polyhedron(rows: list[tuple[dict, fmpq]], n: int) -> Polyhedron:
    """A :class:`Box` when the rows bound every input on both sides with ``lower < upper``, else
    the :class:`Polyhedron` of all rows."""
    lower: list = [None] * n
    upper: list = [None] * n
    single = True
    dense = []
    for coeffs, beta in rows:
        a = [fmpq(0)] * n
        for name, v in coeffs.items():
            a[int(name[2:])] = v
        dense.append((tuple(a), beta))
        if len(coeffs) != 1:
            single = False
            continue
        (name, v), = coeffs.items()
        i = int(name[2:])
        bound = beta / v
        if v > 0:
            upper[i] = bound if upper[i] is None else min(upper[i], bound)
        else:
            lower[i] = bound if lower[i] is None else max(lower[i], bound)
    if single and all(lo is not None and hi is not None and lo < hi for lo, hi in zip(lower, upper)):
        return Box.from_bounds(lower, upper)
    if not dense:  # no constraint at all: all of R^n
        return Polyhedron(A=(), b=(), dim=n)
    return Polyhedron(A=tuple(a for a, _ in dense), b=tuple(b for _, b in dense), dim=n)


def parse_vnnlib(text: str, source: str = "<vnnlib>", ignore_outputs: bool = False):
    """The input domain described by VNN-LIB ``text`` (see the module doc)."""
    reader = _Reader(source)
    asserts = []
    for node in _parse(text, source):
        head = node.head
        if node.items is None or head is None:
            raise VnnlibError(f"{source}: line {node.line}: expected a command, found {node.show()}")
        if head in ("declare-const", "declare-fun"):
            reader.declare(node)
        elif head == "assert":
            if len(node.items) != 2:
                reader.fail(node, f"assert takes one formula: {node.show()}")
            asserts.append(node)
        elif head in _IGNORED:
            continue
        else:
            reader.fail(node, f"unsupported command {head!r} (exactnet reads declare-const and assert)",
                        UnsupportedError)
    n = reader.inputs()
    dnf: list = [[]]
    for node in asserts:
        formula = node.items[1]
        if ignore_outputs and _mentions_outputs(formula):
            if _mentions_inputs(formula):
                reader.fail(node, "this assert mixes input and output constraints; it cannot be dropped as an"
                                  " output constraint", UnsupportedError)
            continue
        dnf = reader._product(dnf, reader.formula(formula), node)
    if not dnf:  # `false` asserted: the empty set
        zero = tuple(fmpq(0) for _ in range(n))
        return Polyhedron(A=(zero,), b=(fmpq(-1),), dim=n)
    parts = [_polyhedron(rows, n) for rows in dnf]
    return parts[0] if len(parts) == 1 else PolyhedronUnion(tuple(parts))


def read_vnnlib(path: str | Path, ignore_outputs: bool = False):
    """Read the input domain of a ``.vnnlib`` file (see :func:`parse_vnnlib`)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a VNN-LIB file")
    if size > MAX_BYTES:
        raise VnnlibError(f"{path}: {size:,} bytes, over the limit of {MAX_BYTES:,} bytes for a VNN-LIB file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise VnnlibError(f"{path}: not a UTF-8 text file (expected VNN-LIB)") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse_vnnlib(text, str(path), ignore_outputs=ignore_outputs)


__all__ = ["MAX_PARTS", "VnnlibError", "parse_vnnlib", "read_vnnlib"]
