"""Pricing: price/yield/WAL/duration (SF-G), zero curve and Z-spread, short-rate paths, OAS, key rates."""
