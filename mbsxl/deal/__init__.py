"""The deal: the deal table and its ledger engine, the waterfall and its mechanisms, batch scenarios, breakevens, the rating agencies' stress, NPL deals."""
