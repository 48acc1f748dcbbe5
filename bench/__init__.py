"""Benchmarks (`make bench`): throughput ratios measured in one process, never in tests."""
