"""Notebook and widget parameters as people type them: region aliases, channels in any case.

The CLI accepts ``CDMX``, ``Nuevo Leon`` or ``cdmx`` for a region and ``TikTok``
for ``tiktok``; notebooks and widget panels go through the same functions.

>>> region_list("CDMX, Nuevo Leon,Cdmx")
['Ciudad de México', 'Nuevo León']
>>> channel_list("TikTok,INSTAGRAM", ["instagram", "tiktok", "youtube"])
['tiktok', 'instagram']
"""

from __future__ import annotations

from collections.abc import Iterable

from insights import InsightsError
from insights.regions import canonical_region


def _split(text: str | Iterable[str] | None) -> list[str]:
    if text is None:
        return []
    items = text.split(",") if isinstance(text, str) else list(text)
    return [s.strip() for s in items if s and s.strip()]


def region_list(text: str | Iterable[str] | None, known: Iterable[str] | None = None) -> list[str]:
    """Comma-separated region names or aliases -> canonical names, duplicates dropped.

    With ``known`` (the regions that have data), a name outside it is an error
    naming the known ones; an empty text means "every region" (``[]``).
    """
    names = [canonical_region(r) or r for r in _split(text)]
    out = list(dict.fromkeys(names))
    if known is not None:
        known = sorted(set(known))
        missing = [r for r in out if r not in known]
        if missing:
            raise InsightsError(
                f"regions {', '.join(missing)}: no data for them; known: "
                + ", ".join(known[:12])
                + (" ..." if len(known) > 12 else "")
            )
    return out


def channel_list(text: str | Iterable[str] | None, known: Iterable[str]) -> list[str]:
    """Comma-separated channels in any case -> the names stored in the warehouse."""
    by_key = {c.casefold(): c for c in known}
    out = []
    for c in _split(text):
        if c.casefold() not in by_key:
            raise InsightsError(
                f"channel {c!r}: unknown; use one of {', '.join(sorted(by_key.values()))}"
            )
        out.append(by_key[c.casefold()])
    return list(dict.fromkeys(out))


def _declared_in_history(ns: dict) -> dict[str, dict]:
    """The parameters cell's declarations, as papermill reads them (name, type, help), found
    in the kernel's input history; the annotations alone when none is found."""
    from insights.imports import skip_slow_optional_imports

    skip_slow_optional_imports()  # before nbformat: seconds of start-up it never uses
    import nbformat
    from papermill.translators import PythonTranslator

    annotated = dict(ns.get("__annotations__", {}))
    best: dict[str, dict] = {}
    for src in ns.get("_ih", []) or []:
        if not src or ":" not in src:
            continue
        try:
            found = PythonTranslator.inspect(nbformat.v4.new_code_cell(src))
        except Exception:  # noqa: BLE001 (any cell that is not a parameters cell)
            continue
        params = {
            p.name: {"inferred_type_name": p.inferred_type_name, "help": p.help} for p in found
        }
        if params and set(params) <= set(annotated) and len(params) >= len(best):
            best = params
    for name, typ in annotated.items():
        best.setdefault(
            name, {"inferred_type_name": getattr(typ, "__name__", str(typ)), "help": ""}
        )
    return best


def _injected_names(ns: dict) -> list[str]:
    """Names papermill's injected cell (``# Parameters``, after the parameters cell) set."""
    import ast

    names: list[str] = []
    for src in ns.get("_ih", []) or []:
        if src and src.lstrip().startswith("# Parameters"):
            try:
                tree = ast.parse(src)
            except SyntaxError:
                continue
            names = [
                t.id
                for node in tree.body
                if isinstance(node, ast.Assign)
                for t in node.targets
                if isinstance(t, ast.Name)
            ]
    return names


def check_notebook_parameters(ns: dict) -> None:
    """Validate a notebook's parameters in its own kernel (``ns``: ``globals()``), so that a
    notebook run by plain papermill or in JupyterLab rejects what ``insights report``
    rejects, with the same message naming the parameter: an unknown name (papermill only
    warns and runs on the default), a value outside its choices (``lang fr``), a value that
    is not of the declared type (``energy_weight abc``), or out of range.

    Declared parameters: the ``parameters`` cell's annotated names (with papermill's reading
    of their type and help); unknown: a name papermill's injected cell sets that is not
    declared. Raises :class:`insights.InsightsError`.
    """
    __tracebackhide__ = True  # IPython shows the message, not this frame
    declared = _declared_in_history(ns)
    unknown = sorted(set(_injected_names(ns)) - set(declared))
    if unknown:
        raise InsightsError(
            f"unknown parameter(s) {', '.join(unknown)}; the notebook takes: "
            f"{', '.join(sorted(declared))}"
        )
    try:
        _check_values(ns, declared)
    except InsightsError as exc:  # one frame shown: the message, not report.py's lines
        raise InsightsError(str(exc)) from None


def _check_values(ns: dict, declared: dict[str, dict]) -> None:
    from insights.report import PATH_PARAMS, _cast

    types = {"int": int, "float": (int, float), "bool": bool, "str": str}
    for name, d in declared.items():
        value, t = ns.get(name), (d["inferred_type_name"] or "").lower()
        want = types.get(t)
        typed = want is not None and isinstance(value, want)
        if typed and isinstance(value, bool) and t != "bool":
            typed = False
        if typed and t == "str" and PATH_PARAMS.match(name):
            continue  # paths resolve from notebooks/ inside the notebook
        _cast(value if t == "str" and typed else str(value), t, name, d["help"], "parameter ")
