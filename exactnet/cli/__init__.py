"""The ``exactnet`` command line interface."""
