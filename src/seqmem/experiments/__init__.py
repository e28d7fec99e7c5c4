"""Experiments reproducing and extending the paper; each returns plain data, never plots."""
