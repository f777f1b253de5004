"""The house rules a newcomer reads: the architecture page lists exactly the modules of the
tree, the reference pages are generated from the code, the README stays short and the code
cites the documentation, not README sections."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARCH = ROOT / "docs" / "architecture.md"


def tree_modules() -> set[str]:
    mods = set()
    for p in (ROOT / "insights").rglob("*.py"):
        parts = p.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods.add(".".join(parts))
    return mods


def page_modules() -> list[str]:
    return re.findall(r"^\| `(insights(?:\.\w+)*)` \|", ARCH.read_text("utf-8"), re.M)


def test_architecture_page_lists_every_module_of_the_tree_once():
    listed = page_modules()
    tree = tree_modules()
    missing = sorted(tree - set(listed))
    stale = sorted(set(listed) - tree)
    twice = sorted({m for m in listed if listed.count(m) > 1})
    assert not missing, f"add a line to docs/architecture.md for: {missing}"
    assert not stale, f"docs/architecture.md lists modules that no longer exist: {stale}"
    assert not twice, f"docs/architecture.md lists these twice: {twice}"


def test_architecture_page_groups_modules_by_the_contracts_layers():
    """Each module sits under the heading of the layer the import contract puts it in."""
    import tomllib

    layers = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"][
        "contracts"
    ][0]["layers"]
    rank = {}
    for i, layer in enumerate(layers):
        for m in re.split(r"\s*[|:]\s*", layer):
            rank[m] = i

    def layer_of(mod: str) -> int | None:
        best = None
        for root, i in rank.items():
            if (mod == root or mod.startswith(root + ".")) and (
                best is None or len(root) > len(best[0])
            ):
                best = (root, i)
        return best[1] if best else None

    sections = re.split(r"^### ", ARCH.read_text("utf-8"), flags=re.M)[1:]
    seen_max = -1
    for section in sections:
        ranks = {layer_of(m) for m in re.findall(r"^\| `(insights(?:\.\w+)*)` \|", section, re.M)}
        ranks.discard(None)  # the package itself
        assert ranks, section.splitlines()[0]
        # sections go down the layers: no module of a section is above one of an earlier one
        assert min(ranks) >= seen_max - 0, (section.splitlines()[0], ranks, seen_max)
        seen_max = max(ranks)


def test_cli_reference_is_generated_from_the_parser_with_every_command_and_option():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import docs_hooks
    finally:
        sys.path.remove(str(ROOT / "tools"))
    from insights.cli import COMMANDS, build_parser

    page = docs_hooks.on_page_markdown(
        (ROOT / "docs/reference/cli.md").read_text("utf-8"), None, None, None
    )
    assert docs_hooks.CLI_MARK not in page
    for name in COMMANDS:
        assert f"## `insights {name.replace('_', '-')}`" in page
    # every option of every command, e.g. recommend's --energy-weight and ingest's --tz
    sub = build_parser()._subparsers._group_actions[0]  # type: ignore[union-attr]
    for name, p in sub.choices.items():
        for action in p._actions:
            for opt in action.option_strings:
                if opt not in ("-h", "--help") and action.help != "==SUPPRESS==":
                    assert f"`{opt}`" in page, (name, opt)


def test_api_reference_is_generated_from_the_openapi_document():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import docs_hooks
    finally:
        sys.path.remove(str(ROOT / "tools"))
    doc = docs_hooks.openapi_document()
    page = docs_hooks.openapi_markdown(doc)
    assert doc["paths"]
    for path, methods in doc["paths"].items():
        for method in methods:
            assert f"## `{method.upper()} {path}`" in page
    assert "| `energyWeight` |" in page  # a query parameter, with its bounds
    assert "<= 1" in page


def test_readme_is_short_and_links_into_the_docs():
    text = (ROOT / "README.md").read_text("utf-8")
    assert len(text.splitlines()) <= 150
    assert "make demo" in text and "make test" in text
    for link in re.findall(r"\]\((docs/[^)#]+)", text):
        assert (ROOT / link).is_file(), link


def test_code_cites_the_docs_not_readme_sections():
    cited = []
    for folder in ("insights", "tests", "benchmarks", "tools"):
        for p in (ROOT / folder).rglob("*.py"):
            for n, line in enumerate(p.read_text("utf-8").splitlines(), 1):
                if re.search(r"README[ '’s]*(\"|“)|README's|the README\b", line) and p.name not in (
                    "demo_data.py",  # writes the demo folder's own README.md
                    "test_architecture.py",
                ):
                    cited.append(f"{p.relative_to(ROOT)}:{n}")
    assert not cited, cited


@pytest.mark.parametrize("page", sorted((ROOT / "docs").rglob("*.md")), ids=lambda p: p.name)
def test_docs_pages_fetch_nothing_from_the_network(page: Path):
    """Pages may link out, but never load a script, a style or an image from elsewhere."""
    text = page.read_text("utf-8")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?://", text)
    assert not re.search(r"!\[[^\]]*\]\(https?://", text)


def test_make_check_and_make_test_run_the_contract_types_and_docs():
    make = (ROOT / "Makefile").read_text("utf-8")
    check = make.split("\ncheck:")[1].split("\n\n")[0]
    test = make.split("\ntest:")[1].split("\n\n")[0]
    for target in (check, test):
        assert "lint-imports" in target and "mypy" in target
    docs_build = make.split("\ndocs-build:")[1].split("\n\n")[0]
    assert "docs-build" in test and "mkdocs build --strict" in docs_build
    assert "check_site_offline.py" in docs_build
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "make test" in ci


def test_lint_imports_finds_the_layers_kept():
    """The contract runs on the real tree (a broken layer fails `make check`)."""
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    r = subprocess.run(
        [str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stdout[-3000:]
    assert "0 broken" in r.stdout


def test_site_check_finds_assets_loaded_from_the_network(tmp_path: Path):
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import check_site_offline
    finally:
        sys.path.remove(str(ROOT / "tools"))
    (tmp_path / "index.html").write_text(
        '<a href="https://example.org">a plain link is fine</a>'
        '<link rel="canonical" href="https://example.org/">'
        '<script src="assets/bundle.js"></script>',
        encoding="utf-8",
    )
    assert check_site_offline.findings(tmp_path) == []
    assert check_site_offline.main(["x", str(tmp_path)]) == 0
    (tmp_path / "page.html").write_text(
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
        '<script src="//unpkg.com/mermaid.js"></script>',
        encoding="utf-8",
    )
    (tmp_path / "x.css").write_text("@font-face{src:url(https://x.org/f.woff2)}", encoding="utf-8")
    found = check_site_offline.findings(tmp_path)
    assert len(found) == 3 and any("googleapis" in f for f in found)
    assert check_site_offline.main(["x", str(tmp_path)]) == 1


def test_user_settings_are_read_only_in_the_settings_module():
    """Every ``INSIGHTS_*`` variable a user sets is read by :mod:`insights.settings`; the
    package's own signals to its child processes are named there too but read where
    they act. The check reads the source, so a new ``os.environ`` look-up of a user
    setting anywhere else fails here."""
    from insights import settings

    user = {v for k, v in vars(settings).items() if k.endswith("_ENV") and isinstance(v, str)}
    assert {"INSIGHTS_DB", "INSIGHTS_LAKE", "INSIGHTS_VARIANTS", "INSIGHTS_SPARK_MASTER"} <= user
    read = re.compile(r"""(?:environ\.get|environ\[|getenv)\(?\s*["'](INSIGHTS_\w+)["']""")
    offenders = []
    for p in (ROOT / "insights").rglob("*.py"):
        if p.name == "settings.py":
            continue
        for name in read.findall(p.read_text("utf-8")):
            if name in user:
                offenders.append(f"{p.relative_to(ROOT)}: {name}")
    assert offenders == []
    env = {"INSIGHTS_LAKE": " sqlite:///l.db ", "INSIGHTS_VARIANTS": "v.json"}
    s = settings.Settings.from_env(env)
    assert (s.lake, s.variants_file, s.spark_master) == ("sqlite:///l.db", "v.json", None)


def test_every_user_facing_error_is_defined_in_the_errors_module():
    """Each :class:`InsightsError` subclass of the package lives in :mod:`insights.errors`
    (one table of exit codes); other modules re-export it under their own name."""
    pattern = re.compile(r"^class (\w+)\((?:\w+\.)?(\w*Error|\w*Rejected|\w*Busy|\w*Fault)\)", re.M)
    from insights import errors

    user_facing = {c.__name__ for c in vars(errors).values() if isinstance(c, type)}
    offenders = []
    for p in (ROOT / "insights").rglob("*.py"):
        if p.name == "errors.py":
            continue
        for name, base in pattern.findall(p.read_text("utf-8")):
            if base in user_facing:
                offenders.append(f"{p.relative_to(ROOT)}: {name}({base})")
    assert offenders == []
