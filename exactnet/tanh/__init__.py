"""Single-hidden-layer tanh networks (Farrugia-Roberts 2023): reducibility, compression,
canonical form, rank, functional equivalence, fibers, paths and proximate rank.

Modules (reference ``tanh.md``):

* :mod:`~exactnet.numbers.tanh_scalar` — :class:`TanhScalar`, the exact output bias ``r_0 + Σ r_q tanh(q)``
  (coefficientwise equality by the linear-independence lemma; JSON form; ``arb`` enclosures);
* :mod:`~exactnet.tanh.parameter` — :class:`TanhParameter`, the ``((a_i, b_i, c_i), d)`` view of
  a network (``from_network``, ``to_network``, ``realised``, ``exactnet.tanh-parameter/1`` JSON);
* :mod:`~exactnet.tanh.compression` — :func:`compress` (→ :class:`Compression`: constant units,
  kept groups in canonical order, cancelled groups, ``δ``; each group lists its members and
  signs), :func:`rank`, :func:`canonical_form`, :func:`reducibility`, and the fast paths
  :func:`group_units` / :func:`merged_weights`;
* :mod:`~exactnet.tanh.moves` — elementary function-preserving moves as replayable records;
  :func:`reduction_chain`, :func:`equivalence_chain`;
* :mod:`~exactnet.tanh.equivalence` — :func:`decide` (exact verdict, difference, witness);
* :mod:`~exactnet.tanh.certificates` — ``tanh.equivalence`` certificates;
* :mod:`~exactnet.tanh.commands` — the CLI backends.

Keep this file free of imports: the independent certificate checker imports
:mod:`exactnet.numbers.tanh_scalar` and must not load the deciding modules.
"""
