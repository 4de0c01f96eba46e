"""Dockerflow runtime for Django: health endpoints, request logging, mozlog JSON."""

__version__ = "0.1.0"
