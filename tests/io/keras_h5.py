"""Tiny Keras ``.h5`` files written with h5py directly (TensorFlow is not installed), in the layout
``model.save("m.h5")`` writes: Keras 2 (``dense/kernel:0``) or Keras 3's legacy format
(``sequential/dense/kernel``), or a weights-only file (``model.save_weights``)."""

from __future__ import annotations

import json

import numpy as np


def dense(name, units, activation="linear", use_bias=True):
    return {"class_name": "Dense", "config": {"name": name, "units": units, "activation": activation,
                                              "use_bias": use_bias, "trainable": True}}


def layer(cls, name, **config):
    return {"class_name": cls, "config": {"name": name, **config}}


def write_keras_h5(path, layers, weights, *, keras3=False, class_name="Sequential", weights_only=False,
                   split_names=False, dtype=np.float32):
    """``layers``: Keras layer configs in order; ``weights``: ``{layer name: (kernel (in, out), bias or None)}``."""
    import h5py

    with h5py.File(path, "w") as f:
        if weights_only:
            group = f
        else:
            config = {"class_name": class_name, "config": {"name": "sequential", "layers": layers}}
            f.attrs["model_config"] = json.dumps(config).encode("utf-8")
            f.attrs["keras_version"] = b"3.6.0" if keras3 else b"2.15.0"
            f.attrs["backend"] = b"tensorflow"
            group = f.create_group("model_weights")
        names = [lay["config"]["name"].encode() for lay in layers]
        if split_names:  # what Keras does when the list is too long for one attribute
            half = len(names) // 2
            group.attrs["layer_names0"] = np.array(names[:half])
            group.attrs["layer_names1"] = np.array(names[half:])
        else:
            group.attrs["layer_names"] = np.array(names)
        for lay in layers:
            name = lay["config"]["name"]
            g = group.create_group(name)
            if name not in weights:
                g.attrs["weight_names"] = np.array([], dtype="S1")
                continue
            kernel, bias = weights[name]
            entries = [("kernel", kernel)] + ([("bias", bias)] if bias is not None else [])
            wnames = [(f"sequential/{name}/{k}" if keras3 else f"{name}/{k}:0") for k, _ in entries]
            g.attrs["weight_names"] = np.array([w.encode() for w in wnames])
            for wname, (_, value) in zip(wnames, entries):
                g.create_dataset(wname, data=np.asarray(value, dtype=dtype))
