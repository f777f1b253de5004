"""The report's swap replaces its own pages, never a user's files."""

from __future__ import annotations

from insights.report import replace_dir


def _pages(d, text):
    d.mkdir()
    for name in ("01_ingest.html", "01_ingest.ipynb", "05_report.html"):
        (d / name).write_text(text, encoding="utf-8")


def test_a_file_written_into_out_during_the_run_survives_the_swap(tmp_path):
    out, stage = tmp_path / "reports", tmp_path / ".reports.staging-1-x"
    _pages(out, "old")
    _pages(stage, "new")
    # written while the report ran (the start refuses a folder holding other files)
    (out / "notas de campaña.txt").write_text("mis notas", encoding="utf-8")
    (out / "borradores").mkdir()
    (out / "borradores" / "a.md").write_text("x")
    replace_dir(stage, out)
    assert (out / "05_report.html").read_text() == "new"
    assert (out / "notas de campaña.txt").read_text(encoding="utf-8") == "mis notas"
    assert (out / "borradores" / "a.md").read_text() == "x"
    assert not stage.exists()


def test_a_user_file_named_like_a_missing_page_is_kept_not_deleted(tmp_path, caplog):
    out, stage = tmp_path / "reports", tmp_path / ".reports.staging-1-y"
    _pages(out, "old")
    _pages(stage, "new")
    (stage / "notes.txt").write_text("from the run")  # same name as the user's file
    (out / "notes.txt").write_text("the user's")
    replace_dir(stage, out)
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("reports.kept-")]
    assert len(kept) == 1 and (kept[0] / "notes.txt").read_text() == "the user's"
    assert "kept in" in caplog.text  # logged; the CLI shows warnings on stderr
