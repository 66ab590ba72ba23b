"""Three-layer (two-hidden-layer) ReLU networks with a bottleneck first layer: exact structure,
structural canonical form, polynomial-time equivalence with move-chain certificates, fibers and
conservation laws (docs/relu-three-layer.md)."""
