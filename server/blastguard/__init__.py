"""Blastguard: catches destructive and over-privileged infrastructure code as it is written."""

__version__ = "0.1.0"
