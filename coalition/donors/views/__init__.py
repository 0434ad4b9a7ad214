"""Donor-coordination pages (PoA 2A.1–2A.4), a module per group of pages: `participation` (the overview with joining
and leaving), `activities` (the list, its CSV, one activity and its sharing), `imports` (uploads, their reports, the
spreadsheet template), `overlaps` (and their review), `analysis` (heatmap, gaps, timeline), `reference` (topic
mapping, exchange rates, donor groups) and `principles` (with each member's self-assessment).
"""
