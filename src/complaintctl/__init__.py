"""complaintctl: case management for an ombudsman's service complaints procedure."""

__version__ = "0.2.0"
