"""A network as imported from a trained-model file, with what the import did to it.

Trained classifiers often end with ``Softmax`` or ``LogSoftmax``. Neither is exact over the
rationals (they involve ``exp``), but both preserve the order of the outputs at every input:
``z_i > z_j ⇔ softmax(z)_i > softmax(z)_j`` (and ties stay ties), likewise for
``log_softmax(z) = z − log Σ exp z``. So the index of the largest output — the *top-1* class,
with its ties — is the same with or without them. An importer therefore drops a trailing one
and records it in :attr:`ImportedNetwork.output_transform`:

* questions about the argmax (top-1 equivalence) use :attr:`ImportedNetwork.network`, the
  logits, through :meth:`ImportedNetwork.for_top1`;
* questions about output values (exact equivalence, maximum difference, ε) must refuse, through
  :meth:`ImportedNetwork.for_values`: the logits are not the model's outputs.

``notes`` lists what else the import rewrote exactly (dropout skipped, normalisation folded,
HardTanh rewritten as ReLUs), for ``exactnet info``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UnsupportedError
from ..network import Network

#: Output transforms an importer may strip (all preserve the argmax and its ties).
OUTPUT_TRANSFORMS = ("softmax", "log_softmax")
_SHOWN = {"softmax": "Softmax", "log_softmax": "LogSoftmax"}


@dataclass(frozen=True)
class ImportedNetwork:
    """``network`` followed by ``output_transform`` (``None``, ``"softmax"`` or ``"log_softmax"``)."""

    network: Network
    output_transform: str | None = None
    source: str = ""
    notes: tuple[str, ...] = ()

    def __post_init__(self):
        if self.output_transform is not None and self.output_transform not in OUTPUT_TRANSFORMS:
            raise ValueError(f"unknown output transform {self.output_transform!r}")

    @property
    def argmax_only(self) -> bool:
        """True when only argmax (top-1) questions may be asked of this model."""
        return self.output_transform is not None

    def for_top1(self) -> Network:
        """The network whose argmax (ties included) equals the model's at every input."""
        return self.network

    def for_values(self, question: str = "this question") -> Network:
        """The network, if it computes the model's outputs; else a one-line refusal."""
        if self.output_transform is None:
            return self.network
        name = _SHOWN[self.output_transform]
        raise UnsupportedError(
            f"{self.source or 'the model'} ends with {name}, which is not exact (it uses exp) but keeps the"
            f" order of the outputs: it is accepted for top-1 questions (equiv --top1) only, not for {question};"
            f" remove the final {name} to compare the logits"
        )

    def describe(self) -> dict:
        """Keys for ``exactnet info``."""
        data = {}
        if self.output_transform is not None:
            data["output_transform"] = self.output_transform
        if self.notes:
            data["import_notes"] = list(self.notes)
        return data


def plain(network: Network, source: str = "") -> ImportedNetwork:
    return ImportedNetwork(network, None, source)


__all__ = ["ImportedNetwork", "OUTPUT_TRANSFORMS", "plain"]
