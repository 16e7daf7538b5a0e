"""Liaison: field-level, audited sharing of enterprise data between government departments."""

__version__ = "0.1.0"
