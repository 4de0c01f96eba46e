"""Tests of dockerflow.checks."""
