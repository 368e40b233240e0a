"""Benchmark harness of one node (``python bench/run.py``); not part of the service."""
