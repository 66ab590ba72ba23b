"""Docstrings, comments and docs cite only documents the repository contains.

Every ``docs/NAME.md`` named in the code (``exactnet/``, ``proofs/``, ``tests/``, ``benchmarks/``),
in ``README.md`` or in ``docs/`` must exist, and a section named after it (``docs/tanh.md § Proximate
rank``) must be a heading of that file. Documents that users do not have — the maintainers'
reference notes (``relu.md §…`` without ``docs/``, ``interface.md``, ``performance.md``, "reference
§…", ``../shared/``) — must not be cited at all: the mathematics lives in ``docs/`` or is cited to
the papers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(
    [p for d in ("exactnet", "proofs", "tests", "benchmarks", "examples") for p in (ROOT / d).rglob("*.py")]
    + list((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
)
THIS = Path(__file__).resolve()

DOC_REF = re.compile(r"docs/([\w.-]+\.md)(?: § ([^,;)\n.\"`]+))?")
#: Citations of documents outside the repository.
FOREIGN = re.compile(
    r"(?<![\w/\[-])(?<!\]\()(?:relu|tanh|interface|performance|scale-out|equivalence-practice|symmetry-groups)\.md(?!\])"
    r"|reference §|reference ``|shared/reference|\.\./shared"
)


def _headings(doc: Path) -> list[str]:
    return [line.lstrip("#").strip() for line in doc.read_text(encoding="utf-8").splitlines() if line.startswith("#")]


def _cites():
    for path in SOURCES:
        if path == THIS:
            continue
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            yield path, number, line


@pytest.mark.parametrize("path", [p for p in SOURCES if p != THIS], ids=lambda p: str(p.relative_to(ROOT)))
def test_cited_docs_exist_and_name_real_sections(path):
    bad = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for m in DOC_REF.finditer(line):
            doc = ROOT / "docs" / m.group(1)
            if not doc.exists():
                bad.append(f"{number}: docs/{m.group(1)} does not exist")
                continue
            title = (m.group(2) or "").strip()
            if title:
                heads = _headings(doc)
                if not any(h.startswith(title) or title.startswith(h) for h in heads if h):
                    bad.append(f"{number}: docs/{m.group(1)} has no section {title!r}")
    assert not bad, f"{path.relative_to(ROOT)}:\n" + "\n".join(bad)


@pytest.mark.parametrize("path", [p for p in SOURCES if p != THIS], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_citation_of_documents_outside_the_repository(path):
    bad = []
    in_docs = path.parent == ROOT / "docs"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for m in FOREIGN.finditer(line):
            name = m.group(0)
            if in_docs and name.endswith(".md") and (ROOT / "docs" / name).exists():
                continue  # a sibling page of docs/, e.g. [relu.md](relu.md)
            bad.append(f"{number}: {line.strip()[:120]}")
    assert not bad, (f"{path.relative_to(ROOT)} cites documents the repository does not contain "
                     "(cite docs/ or the papers):\n" + "\n".join(bad))


def test_the_detector_sees_what_it_must():
    assert FOREIGN.search("(relu.md §4)") and FOREIGN.search("see ``interface.md``")
    assert FOREIGN.search("(reference §7.3)") and FOREIGN.search("../shared/reference/tanh.md")
    assert not FOREIGN.search("docs/relu.md § Definitions") and not FOREIGN.search("[relu.md](relu.md)")
    m = DOC_REF.search("(docs/tanh.md § Proximate rank)")
    assert m.group(1) == "tanh.md" and m.group(2) == "Proximate rank"
