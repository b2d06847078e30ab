"""Benchmarks of the pathways (zorgpaden): national-scale data and a load runner."""
