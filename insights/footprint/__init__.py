"""The energy and emissions of distributing content (ledger, factor sets) and variants that
adapt to the grid; see docs/footprint.md."""
