"""One module per CLI command: each has ``register(subparsers)`` and ``run(args) -> exit code``.

The parser and dispatch live in :mod:`insights.cli`; command modules never import it.
"""
