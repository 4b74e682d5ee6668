"""Exports the engagement model bundle (see models/README.md) that the Java service loads."""

__version__ = "0.1.0"
