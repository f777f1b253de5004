"""Start-up: optional imports that cost seconds and that insights never uses, kept out.

jsonschema (imported by nbformat, hence by papermill and nbconvert) imports
``rfc3987_syntax`` whenever it is installed (JupyterLab's ``jupyter-events`` brings it in
through ``jsonschema[format-nongpl]``). That module compiles 38 Lark grammars at import
time: ``import nbformat`` took 1.45 s of CPU with it and 0.17 s without, measured on the
2-core development machine (docs/performance.md), and a report page starts three
processes that import nbformat (``insights report``, papermill's, and the kernel, whose
parameter check reads the parameters cell as papermill does). It serves only jsonschema's
``iri`` and ``iri-reference`` format checks, which are opt-in and which no schema insights
validates against uses (nbformat's notebook schemas have no such format). jsonschema
already skips a format check whose library is missing, so the only change is that an
``iri`` format check, if some other code in the same process asked for one, would not be
made.
"""

from __future__ import annotations

import sys

#: modules imported only for checks insights never makes, by libraries it imports
SLOW_OPTIONAL = ("rfc3987_syntax",)

#: ``python -c`` code that runs papermill's command line with the imports above kept out
PAPERMILL_MAIN = (
    "import insights.imports as i; i.skip_slow_optional_imports(); import runpy; "
    "runpy.run_module('papermill', run_name='__main__', alter_sys=True)"
)


def skip_slow_optional_imports() -> None:
    """Make :data:`SLOW_OPTIONAL` unimportable in this process (an ``ImportError`` for the
    library that tries), unless one is already imported. Call before nbformat is imported."""
    for name in SLOW_OPTIONAL:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
