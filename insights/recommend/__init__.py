"""Energy-weighted distribution timing: candidate slots, score, exact selection, trade-offs."""
