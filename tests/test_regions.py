import polars as pl

from insights.regions import canonical_region, canonical_zone, canonicalize, load_regions


def test_bundled_table_has_all_32_mexican_states_with_zone_and_tz():
    mx = load_regions().filter(pl.col("country") == "MX", pl.col("region") != "México")
    assert mx.height == 32
    assert set(mx["grid_zone"]) == {
        "MX-BC",
        "MX-BCS",
        "MX-CE",
        "MX-NE",
        "MX-NO",
        "MX-NW",
        "MX-OC",
        "MX-OR",
        "MX-PN",
    }
    tz = dict(zip(mx["region"], mx["tz"], strict=True))
    assert tz["Baja California"] == "America/Tijuana"
    assert tz["Sonora"] == "America/Hermosillo"
    assert tz["Quintana Roo"] == "America/Cancun"
    assert tz["Ciudad de México"] == "America/Mexico_City"


def test_names_are_canonicalised():
    assert canonical_region("Mexico City") == "Ciudad de México"
    assert canonical_region("CDMX") == "Ciudad de México"
    assert canonical_region("Ciudad de México") == "Ciudad de México"
    assert canonical_region("Nuevo Leon") == "Nuevo León"
    assert canonical_region("NUEVO LEÓN") == "Nuevo León"
    assert canonical_region("State of Mexico") == "Estado de México"
    assert canonical_region("State of São Paulo") == "São Paulo"
    assert canonical_region("Atlantis") is None


def test_unknown_region_is_kept_and_flagged():
    out = canonicalize(pl.Series(["CDMX", "Atlantis "]))
    assert out.to_dicts() == [
        {"region": "Ciudad de México", "region_raw": "CDMX", "region_known": True},
        {"region": "Atlantis", "region_raw": "Atlantis ", "region_known": False},
    ]


def test_retired_mexican_zone_codes_resolve():
    assert canonical_zone("OCC") == "MX-OC"
    assert canonical_zone("MX-OR") == "MX-OR"
    assert canonical_zone("CL-SIC") == "CL-SEN"


def test_config_file_extends_regions(tmp_path, monkeypatch):
    extra = tmp_path / "regions.csv"
    extra.write_text(
        "region,country,grid_zone,grid_operator_code,tz,aliases\n"
        "Antioquia,CO,CO,XM,America/Bogota,Medellín|ANT\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("INSIGHTS_REGIONS", str(extra))
    assert canonical_region("medellin") == "Antioquia"
    assert load_regions().filter(pl.col("region") == "Antioquia")["tz"][0] == "America/Bogota"
    assert canonical_region("CDMX") == "Ciudad de México"
