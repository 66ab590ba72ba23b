"""Single-hidden-layer tanh networks (Farrugia-Roberts 2023): reducibility, compression,
canonical form, rank, functional equivalence, fibers, paths and proximate rank."""
