"""Ingest: detect a file's kind, read it into canonical rows, load it in one transaction."""
