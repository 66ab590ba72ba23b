"""ReLU networks of any depth: exact activation regions, functional equivalence, compression,
functional dimension, fibers and hidden symmetries."""
