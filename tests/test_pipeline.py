"""The front door (insights.pipeline), the settings and the errors module, in process.

Each request object raises the same one-line error as the CLI option it stands for, when
it is built, before any warehouse is opened (the db below does not exist)."""

from __future__ import annotations

from pathlib import Path

import pytest

from insights import pipeline, settings
from insights.errors import InsightsError, ParamError


def test_ingest_request_checks_tz_and_country_once_and_normalises_the_country():
    with pytest.raises(InsightsError, match=r"^--tz 'Mars/Olympus': not an IANA time zone$"):
        pipeline.IngestRequest(paths=("x.csv",), tz="Mars/Olympus")
    with pytest.raises(InsightsError, match="--country 'XX'.*ISO 3166-1 alpha-2"):
        pipeline.IngestRequest(paths=("x.csv",), country="XX")
    req = pipeline.IngestRequest(paths=[Path("a.csv")], country="mx", tz="America/Tijuana")
    assert req.country == "MX" and req.paths == ("a.csv",)
    opts = req.options()
    assert (opts.country, opts.tz) == ("MX", "America/Tijuana")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"kind": "tiktok_videos"}, r"^--kind 'tiktok_videos': use one of .*meta_content"),
        ({"decimal": ";"}, r"^--decimal ';': use one of \., ,$"),
        ({"date_order": "dym"}, r"^--date-order 'dym': use one of dmy, mdy, ymd$"),
        ({"year": 24}, r"^--year 24: a four-digit year such as 2024$"),
    ],
)
def test_ingest_request_checks_the_clis_choices_for_callers_without_argparse(given, message):
    # notebook 01 builds the request from its parameters: "" and 0 are "not given"
    with pytest.raises(InsightsError, match=message):
        pipeline.IngestRequest.from_parameters(["x.csv"], **given)
    req = pipeline.IngestRequest.from_parameters(
        ["x.csv"], kind="", decimal=",", date_order="", tz="", year=0, sheet=""
    )
    assert (req.kind, req.decimal, req.date_order, req.tz, req.year) == (
        None,
        ",",
        None,
        None,
        None,
    )


def test_ingest_results_table_in_the_pages_language(tmp_path: Path):
    from insights.ingest.load import FileResult
    from insights.ingest.summary import results_table

    results = [
        FileResult(str(tmp_path / "a.csv"), "1", "consumption", "loaded", 2, reason="dmy assumed"),
        FileResult(
            str(tmp_path / "b (1).csv"), "1", "consumption", "skipped", reason="already loaded"
        ),
        FileResult("elsewhere/c.csv", "2", None, "rejected", reason="line 1: no header"),
    ]
    es = results_table(results, "es", tmp_path)
    assert es.columns[:3] == ["Archivo", "Tipo", "Estado"] and es.columns[-1] == "Motivo"
    assert es["Archivo"].to_list() == ["a.csv", "b (1).csv", "elsewhere/c.csv"]
    assert es["Estado"].to_list() == ["cargado", "omitido: ya cargado", "rechazado"]
    assert es["Motivo"].to_list() == ["dmy assumed", "—", "line 1: no header"]  # the CLI's words
    en = results_table(results, "en")
    assert en["Status"].to_list() == ["loaded", "skipped: already loaded", "rejected"]
    assert en["File"][0] == str(tmp_path / "a.csv")


def test_ingest_request_without_files_is_a_usage_error(tmp_path: Path):
    with pytest.raises(InsightsError, match="no files to ingest under") as e:
        pipeline.IngestRequest(paths=(str(tmp_path),)).files()
    assert e.value.exit_code == 2


def test_ingest_loads_a_file_and_reports_each_result(tmp_path: Path):
    src = tmp_path / "eventos.csv"
    src.write_text(
        "fecha,región,canal,vistas,interacciones\n"
        "2024-03-15T10:00:00-06:00,Nuevo León,TikTok,10,2\n"
        "2024-03-15T11:00:00-06:00,Nuevo León,TikTok,12,3\n",
        encoding="utf-8",
    )
    seen = []
    db = str(tmp_path / "wh.duckdb")
    results = pipeline.ingest(pipeline.IngestRequest(paths=(str(src),)), db, on_result=seen.append)
    assert [r.status for r in results] == ["loaded"] and seen == results
    assert results[0].rows_loaded == 2
    import duckdb

    con = duckdb.connect(db, read_only=True)
    try:
        assert con.execute("SELECT DISTINCT region FROM consumption").fetchall() == [
            ("Nuevo León",)
        ]
    finally:
        con.close()


@pytest.mark.parametrize("w", [1.5, -0.1, float("nan"), "0.5"])
def test_recommend_checks_the_weight_before_reading_the_warehouse(tmp_path: Path, w):
    params = pipeline.RecommendRequest(energy_weight=w)
    with pytest.raises(ParamError, match="must be between 0 and 1") as e:
        pipeline.recommend(params, str(tmp_path / "none.duckdb"))
    assert e.value.param == "energy_weight"
    assert not (tmp_path / "none.duckdb").exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"losses": 100}, "--losses is a percentage between 0 and 100"),
        ({"target_match": 0}, "--target-match is a share between 0 and 1"),
        ({"lat": 91}, "--lat/--lon out of range"),
        ({"clear_sky_index": "1.2"}, "--clear-sky-index values are at most 1"),
        ({"clear_sky_index": "0.8,x"}, "--clear-sky-index '0.8,x': numbers separated"),
        ({"monthly_ghi": "5,5"}, "--monthly-ghi: one value or 12"),
    ],
)
def test_solar_request_rejects_out_of_range_values(kwargs, message):
    with pytest.raises(InsightsError, match=message.replace("(", r"\(")):
        pipeline.SolarRequest(**kwargs)


def test_solar_request_builds_the_pv_settings():
    req = pipeline.SolarRequest(losses=10, clear_sky_index="0.7", monthly_ghi=[5.0] * 12)
    s = req.pv_settings()
    assert s.losses == pytest.approx(0.10)
    assert s.clear_sky_index == (0.7,) * 12 and s.monthly_ghi == (5.0,) * 12


def test_studio_energy_request_rejects_negative_slack():
    with pytest.raises(InsightsError, match=r"--slack-hours -1: use hours, 0 to 168"):
        pipeline.StudioEnergyRequest(slack_hours=-1)


def test_settings_are_read_from_one_mapping_and_checked_where_used():
    s = settings.Settings.from_env(
        {
            "INSIGHTS_DB": "x.duckdb",
            "INSIGHTS_LOCK_TIMEOUT": " 5 ",
            "INSIGHTS_REGIONS": "",
            "INSIGHTS_API_TOKEN": "t" * 20,
        }
    )
    assert s.db == "x.duckdb" and s.lock_timeout_s == 5.0
    assert s.regions_file is None  # empty is unset
    assert s.studio_tz == "America/Mexico_City" and s.api_token == "t" * 20
    assert settings.Settings.from_env({}).lock_timeout_s == 900.0
    for bad in ("abc", "nan", "-1", "inf"):
        with pytest.raises(InsightsError, match="give the seconds") as e:
            _ = settings.Settings.from_env({"INSIGHTS_LOCK_TIMEOUT": bad}).lock_timeout_s
        assert e.value.exit_code == 2


def test_settings_current_follows_the_environment(monkeypatch):
    monkeypatch.setenv("INSIGHTS_STUDIO_TZ", "America/Tijuana")
    assert settings.current().studio_tz == "America/Tijuana"
    monkeypatch.delenv("INSIGHTS_STUDIO_TZ")
    assert settings.current().studio_tz == "America/Mexico_City"


def test_every_error_class_is_one_class_under_its_old_names():
    import insights
    from insights import errors, locking, report, warehouse
    from insights.ingest import staged
    from insights.recommend import errors as rec_errors

    assert insights.InsightsError is errors.InsightsError
    assert locking.WarehouseBusy is errors.WarehouseBusy and errors.WarehouseBusy.exit_code == 3
    assert (
        warehouse.WarehouseFault is errors.WarehouseFault and errors.WarehouseFault.exit_code == 1
    )
    assert staged.FileRejected is errors.FileRejected and errors.FileRejected.exit_code == 2
    assert report.ReportFailed is errors.ReportFailed and errors.ReportFailed.exit_code == 1
    assert rec_errors.ParamError is errors.ParamError
    assert rec_errors.NotAnswerable is errors.NotAnswerable
    assert errors.exit_code(errors.WarehouseBusy("x")) == 3
    assert errors.exit_code(KeyboardInterrupt()) == 130
    assert errors.exit_code(ValueError()) == 1
