"""Networks: the immutable model, exact evaluation and the ``exactnet.network/1`` format."""

from .evaluate import Evaluation, align_input, evaluate, forward_exact, preactivations, relu_exact
from .jsonio import FORMAT, dumps, loads, network_from_obj, network_to_obj, read_network, write_network
from .model import ACTIVATIONS, Layer, Network, common_field

__all__ = [
    "ACTIVATIONS", "Evaluation", "FORMAT", "Layer", "Network", "align_input", "common_field", "dumps",
    "evaluate", "forward_exact", "loads", "network_from_obj", "network_to_obj", "preactivations",
    "read_network", "relu_exact", "write_network",
]
