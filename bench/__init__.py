"""Benchmarks of Kansrijk (see README.md). Not part of the installed package."""
