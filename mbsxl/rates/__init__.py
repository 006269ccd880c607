"""Rates: PBoC benchmark and LPR indices, repricing and policy events, LPR scenarios."""
