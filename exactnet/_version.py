"""The version of exactnet (one place, read by the package, the CLI and the ONNX exporter)."""

__version__ = "0.1.0"
