"""Benchmarks run by `clozapine-desk bench`: measured numbers, never timed tests."""
