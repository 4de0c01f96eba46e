# Metadata lives in pyproject.toml; this shim keeps `python setup.py ...` and
# very old tooling working.
from setuptools import setup

setup()
