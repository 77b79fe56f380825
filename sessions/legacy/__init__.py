"""Import of a whole legacy file share (Packer's Assistant + Shopify Tool), see issue 6.

Pipeline, one module per step (entry point: `runner.run_import`, used by
`manage.py import_legacy`, which lives in `stats` and also runs the Stats/ history step,
`stats.legacy_history.import_history`):
- `share`: every look at the share (folders that cannot be read, a file where a folder should
  be, links leading outside the share, files too large to be real): problems, never a crash.
- `jsonio`, `xlsx`, `timestamps`: tolerant readers for what the old apps wrote (NaN, BOM,
  escapes, truncation; naive local times; Excel through python-calamine).
- `tree`: find the share's trees (E1 upper-case, E2+ title-case) and classify session folders.
- `clients`, `workers`: client profiles, SKU mappings and workers.
- `evidence`: read every state / backup / summary / completed report of one packing run.
- `sources`: the order lines of a list (packing-list JSON, completed xlsx, original Excel).
- `union`: merge the evidence of a run onto its order lines (never more packed than required).
- `planner`: one SessionPlan per session folder.
- `writer`: one transaction per session; ScanEvents that replay to the stored counters.
- `report`: the run report (text and JSON).
"""
