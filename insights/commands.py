"""Commands of the later stages (models, recommendations, reports), registered on the CLI."""
