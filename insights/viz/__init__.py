"""Charts (Altair) and their offline display."""
