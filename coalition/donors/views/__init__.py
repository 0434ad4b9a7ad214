"""Donor-coordination pages (PoA 2A.1–2A.4), a module per group of pages: `participation` (the overview with joining
and leaving), `activities` (the list, its CSV, one activity and its sharing), `imports` (uploads, their reports, the
spreadsheet template), `overlaps` (and their review), `analysis` (heatmap, gaps, timeline), `reference` (topic
mapping, exchange rates, donor groups) and `principles` (with each member's self-assessment).

Each view declares its rule. Records are read through `queries` or `policy.visible_to` (a record the viewer may not
read is a 404, never a 403: its existence is not confirmed). Every write goes through `core.forms.submit` to one
service, whose error comes back on the form field it names with a 400 and nothing saved; a refusal by the policy is
a 403 page with its message.
"""
