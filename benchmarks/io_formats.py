"""Cost of exactness in the importers/exporters: exactnet vs. plain float loading, per format.

    python benchmarks/io_formats.py [--widths 784,512,512,10] [--repeat 3]

For a random float32 MLP (weights as stored by a trained model), each format is written once
by exactnet (``save_network``: exact rationals correctly rounded to float32) and then read by

* exactnet — ``load_network``: every float converted to the exact dyadic rational it holds;
* the peer — the format's own float reader (``np.load``, ``safetensors.numpy.load_file``,
  ``onnx.numpy_helper.to_array`` over the initializers, ``torch.load``), which yields floats only.

The printed ratio is exactnet time / peer time. No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from exactnet.io import load_network, save_network
from exactnet.network import Layer, Network


def random_network(widths, seed=0) -> Network:
    from flint import fmpq

    rng = np.random.default_rng(seed)
    layers = []
    for n_in, n_out in zip(widths, widths[1:]):
        w = (rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)).astype(np.float32)
        b = (rng.standard_normal(n_out) * 0.1).astype(np.float32)
        layers.append(Layer([[fmpq(*v.as_integer_ratio()) for v in row] for row in w.tolist()],
                            [fmpq(*v.as_integer_ratio()) for v in b.tolist()]))
    return Network("relu", tuple(layers))


def peer_reader(ext):
    if ext == "npz":
        return lambda p: dict(np.load(p, allow_pickle=False))
    if ext == "safetensors":
        from safetensors.numpy import load_file

        return lambda p: load_file(str(p))
    if ext == "onnx":
        import onnx
        from onnx import numpy_helper

        return lambda p: [numpy_helper.to_array(t) for t in onnx.load(str(p)).graph.initializer]
    if ext == "pt":
        try:
            import torch
        except ImportError:
            return None
        return lambda p: torch.load(str(p), weights_only=True)
    return None


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--widths", default="784,512,512,10")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    widths = [int(w) for w in args.widths.split(",")]
    net = random_network(widths)
    print(f"network widths {widths}: {net.num_parameters} parameters (float32 values)")
    print(f"{'format':<12} {'save s':>8} {'exact load s':>13} {'peer load s':>12} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for ext in ("json", "npz", "safetensors", "onnx", "pt"):
            path = Path(tmp) / f"net.{ext}"
            t_save = best(lambda: save_network(net, path, dtype="float32"), args.repeat)
            t_load = best(lambda: load_network(path, activation="relu" if ext == "pt" else None), args.repeat)
            peer = peer_reader(ext)
            if peer is None:
                print(f"{ext:<12} {t_save:8.2f} {t_load:13.2f} {'-':>12} {'-':>7}")
                continue
            t_peer = best(lambda: peer(path), args.repeat)
            print(f"{ext:<12} {t_save:8.2f} {t_load:13.2f} {t_peer:12.4f} {t_load / t_peer:7.0f}")


if __name__ == "__main__":
    main()
