"""Pipelines: read, validate, link, compute and publish the warehouse (DESIGN §2)."""
