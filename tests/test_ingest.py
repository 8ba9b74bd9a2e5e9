"""Landing extract files (DESIGN §3): file matching, CSV/XLSX/Parquet, headings, BOM, extra
columns, row numbers, and files that cannot be read at all."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from pipelines.definitions.contracts import CONTRACT_BY_NAME, PRISON_RELEASES
from pipelines.ingest import (
    FILE_COLUMN,
    ROW_COLUMN,
    ExtractError,
    discover,
    land,
    match_extract,
)
from pipelines.validate import stage
from tests.helpers import (
    counts_of,
    episode,
    rejects_of,
    release,
    write_csv,
    write_parquet,
    write_xlsx,
    write_xlsx_sheets,
)
from tests.helpers import (
    row as row_of,
)


def land_and_stage(path: Path, extract: str = "prison_releases"):
    contract = CONTRACT_BY_NAME[extract]
    landed = land(path, contract)
    return landed, stage(contract, landed.frame)


# --- matching files to extracts ----------------------------------------------------------------

@pytest.mark.parametrize(("name", "extract"), [
    ("prison_releases.csv", "prison_releases"),
    ("prison_releases_2024q1.xlsx", "prison_releases"),
    ("Prison_Releases_A.CSV", "prison_releases"),
    ("community_episodes-london.parquet", "community_episodes"),
    ("services_directory.csv", "services"),
    ("comparators_fingertips.csv", "comparators"),
    ("lived_experience_feedback.xlsx", "lived_experience_feedback"),
    ("ebe_reviews.csv", "ebe_reviews"),
    ("recommendation_updates_2024.csv", "recommendation_updates"),
    ("releases.csv", None),
    ("my_prison_releases.csv", None),
])
def test_files_match_extracts_by_name_prefix(name, extract):
    contract = match_extract(Path(name))
    assert (contract.name if contract else None) == extract


def test_discover_groups_files_and_lists_the_unmatched(tmp_path):
    for name in ("prison_releases_b.xlsx", "prison_releases_a.csv", "community_episodes.parquet",
                 "notes.csv", "prison_releases.txt", ".prison_releases_hidden.csv", "README.md"):
        (tmp_path / name).write_text("x")
    (tmp_path / "prison_releases_dir.csv").mkdir()
    matched, unmatched = discover(tmp_path)
    assert matched == {
        "prison_releases": [tmp_path / "prison_releases_a.csv",
                            tmp_path / "prison_releases_b.xlsx"],
        "community_episodes": [tmp_path / "community_episodes.parquet"],
    }
    assert unmatched == [tmp_path / "notes.csv"]


def test_discover_a_missing_folder(tmp_path):
    with pytest.raises(ExtractError, match="does not exist"):
        discover(tmp_path / "nowhere")


# --- CSV ---------------------------------------------------------------------------------------

def test_csv_lands_every_value_as_text_with_file_and_row(tmp_path):
    path = write_csv(tmp_path / "prison_releases.csv", [release(1), release(2, age="040")])
    landed = land(path, PRISON_RELEASES)
    assert landed.extract == "prison_releases"
    assert landed.rows_read == 2
    # Text as read; a column with few distinct values (codes, dates, numbers) as categories,
    # which store each distinct text once.
    assert {name: dtype for name, dtype in landed.frame.schema.items()
            if not name.startswith("_")} == {
        column.name: pl.Categorical if column.few_values else pl.String
        for column in PRISON_RELEASES.columns}
    # Bookkeeping columns repeat one value per file: stored as categories, not text per row.
    assert landed.frame.schema[FILE_COLUMN] == pl.Categorical
    assert landed.frame.get_column("age").to_list() == ["35", "040"]  # not inferred as numbers
    assert landed.frame.get_column(FILE_COLUMN).to_list() == [str(path)] * 2
    assert landed.frame.get_column(ROW_COLUMN).to_list() == [2, 3]
    assert landed.ignored_columns == []


def test_headings_are_matched_case_insensitively_after_trimming(tmp_path):
    headings = {"release_id": " Release_ID ", "age": "AGE", "prison": "\tPrison",
                "release_date": "Release_Date  "}
    path = write_csv(tmp_path / "prison_releases.csv", [release(1)], headings=headings)
    landed, staged = land_and_stage(path)
    assert landed.ignored_columns == []
    assert rejects_of(staged) == []
    assert staged.good.select("release_id", "age", "prison", "release_date").row(0) == (
        "R1", 35, "BAI", date(2023, 6, 1)
    )


def test_utf8_with_bom(tmp_path):
    path = write_csv(tmp_path / "prison_releases.csv", [release(1, person_id="Zoë")], bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    landed, staged = land_and_stage(path)
    assert rejects_of(staged) == []
    assert staged.good.item(0, "release_id") == "R1"  # the first heading is found
    assert staged.good.item(0, "person_id") == "Zoë"


def test_surrounding_spaces_in_values_are_ignored(tmp_path):
    padded = release(1, prison="  HMP Belmarsh ", sex=" F ", age=" 35 ", peer_mentor=" Yes ",
                     release_date=" 01/06/2023 ", residence_la=" Camden ", release_id=" R1 ")
    path = write_csv(tmp_path / "prison_releases.csv", [padded])
    _, staged = land_and_stage(path)
    assert rejects_of(staged) == []
    assert staged.good.select("release_id", "prison", "sex", "age", "peer_mentor",
                              "release_date", "residence_la").row(0) == (
        "R1", "BAI", "female", 35, True, date(2023, 6, 1), "E09000007"
    )


def test_unknown_extra_columns_are_ignored_and_reported(tmp_path):
    rows = [release(1) | {"Notes": "x", "nhs_number": "123"}]
    path = write_csv(tmp_path / "prison_releases.csv", rows)
    landed, staged = land_and_stage(path)
    assert landed.ignored_columns == ["Notes", "nhs_number"]
    assert "Notes" not in landed.frame.columns and "nhs_number" not in landed.frame.columns
    assert rejects_of(staged) == []


def test_known_headings_of_the_fingertips_format_are_not_reported(tmp_path):
    from pipelines.definitions.contracts import COMPARATOR_COLUMNS

    values = {h: "" for h in COMPARATOR_COLUMNS} | {
        "Indicator ID": "C20", "Indicator Name": "Continuity of care", "Area Code": "E92000001",
        "Area Name": "England", "Time period": "2023/24", "Value": "53.0", "Extra": "1",
    }
    path = write_csv(tmp_path / "comparators.csv", [values])
    landed, staged = land_and_stage(path, "comparators")
    assert landed.ignored_columns == ["Extra"]
    assert rejects_of(staged) == []
    assert staged.good.item(0, "value") == 53.0


def test_blank_lines_are_skipped_and_rows_keep_their_numbers(tmp_path):
    path = write_csv(tmp_path / "prison_releases.csv", [release(1), release(2, age="17")])
    lines = path.read_text().splitlines()
    # header, R1, blank, R2 (bad), then trailing blank lines as editors leave them
    path.write_text("\n".join([lines[0], lines[1], "", lines[2]]) + "\n\n\n")
    _, staged = land_and_stage(path)
    assert rejects_of(staged) == [(4, "age", "age must be a whole number from 18 to 100")]
    assert counts_of(staged) == {"rows_read": 2, "rows_loaded": 1, "rows_rejected": 1,
                                 "duplicates": 0}


def test_a_row_of_only_commas_is_blank(tmp_path):
    path = write_csv(tmp_path / "prison_releases.csv", [release(1)])
    path.write_text(path.read_text() + "," * 17 + "\n")
    _, staged = land_and_stage(path)
    assert counts_of(staged)["rows_read"] == 1


def test_short_rows_are_padded_and_rejected_not_dropped(tmp_path):
    path = write_csv(tmp_path / "prison_releases.csv", [release(1)])
    path.write_text(path.read_text() + "R2,P2,BAI\n")
    _, staged = land_and_stage(path)
    rejected = rejects_of(staged)
    assert {r[0] for r in rejected} == {3}
    assert (3, "reception_date", "reception_date is empty") in rejected
    assert staged.good.height == 1


# --- XLSX --------------------------------------------------------------------------------------

def test_xlsx_with_real_date_number_and_boolean_cells(tmp_path):
    rows = [
        release(1, reception_date=date(2023, 1, 10), release_date=datetime(2023, 6, 1),
                age=35, peer_mentor=True, referred_to_community=False, release_budget_gbp=120.5),
        release(2, age="41", release_date="02/06/2023", reception_date="2023-01-02"),
        release(3, age=17),
    ]
    path = write_xlsx(tmp_path / "prison_releases.xlsx", rows)
    landed, staged = land_and_stage(path)
    assert landed.rows_read == 3
    assert rejects_of(staged) == [(4, "age", "age must be a whole number from 18 to 100")]
    good = staged.good.select("release_id", "reception_date", "release_date", "age",
                              "peer_mentor", "referred_to_community", "release_budget_gbp")
    assert good.rows() == [
        ("R1", date(2023, 1, 10), date(2023, 6, 1), 35, True, False, 120.5),
        ("R2", date(2023, 1, 2), date(2023, 6, 2), 41, False, True, None),
    ]


def test_xlsx_blank_rows_keep_the_sheet_row_numbers(tmp_path):
    rows = [release(1), release(2), release(3, sex="robot")]
    path = write_xlsx(tmp_path / "prison_releases.xlsx", rows, blank_rows_after=(0, 1))
    # sheet rows: 1 header, 2 R1, 3 blank, 4 R2, 5 blank, 6 R3
    _, staged = land_and_stage(path)
    assert rejects_of(staged) == [(6, "sex", "sex must be one of: male, female, other, unknown")]
    assert staged.good.get_column("_row").to_list() == [2, 4]


def test_xlsx_headings_and_extra_columns(tmp_path):
    rows = [episode(1) | {"Comment": "x"}]
    path = write_xlsx(tmp_path / "community_episodes.xlsx", rows,
                      headings={"episode_id": "EPISODE_ID ", "la": " LA"})
    landed, staged = land_and_stage(path, "community_episodes")
    assert landed.ignored_columns == ["Comment"]
    assert rejects_of(staged) == []


def test_xlsx_rows_continuing_on_a_second_sheet_are_all_read(tmp_path):
    path = write_xlsx_sheets(tmp_path / "services.xlsx", {
        "Cover": [["London recovery services directory"], ["Synthetic test data"]],
        "Part 1": [row_of("services", service_id=f"S{i}") for i in range(1, 4)],
        "Part 2": [row_of("services", service_id="S4"),
                   row_of("services", service_id="S5", kind="spaceship")],
        "Notes": [["note"], ["Rows continue on Part 2."]],
        "Empty": [],
    })
    landed, staged = land_and_stage(path, "services")
    assert landed.rows_read == 5
    assert landed.sheets == ["Part 1", "Part 2"]
    assert landed.ignored_sheets == ["Cover", "Notes", "Empty"]
    part1, part2 = f"{path} [sheet Part 1]", f"{path} [sheet Part 2]"
    assert landed.parts == [part1, part2]
    assert sorted(staged.good.get_column("service_id")) == ["S1", "S2", "S3", "S4"]
    # The rejected row is found by its sheet and its row in that sheet.
    assert staged.rejects.select("path", "row", "column").rows() == [(part2, 3, "kind")]
    assert staged.per_file.select("path", "rows_read", "rows_loaded", "rows_rejected").rows() \
        == [(part1, 3, 3, 0), (part2, 2, 1, 1)]


def test_xlsx_one_data_sheet_and_a_notes_sheet_keeps_the_plain_path(tmp_path):
    path = write_xlsx_sheets(tmp_path / "services.xlsx", {
        "Notes": [["About this file"]],
        "Services": [row_of("services")],
    })
    landed, staged = land_and_stage(path, "services")
    assert landed.parts == [str(path)]
    assert landed.ignored_sheets == ["Notes"]
    assert staged.good.get_column(FILE_COLUMN).cast(pl.String).to_list() == [str(path)]


def test_xlsx_sheet_with_some_of_the_columns_is_refused_by_name(tmp_path):
    partial = {k: v for k, v in row_of("services", service_id="S9").items() if k != "kind"}
    path = write_xlsx_sheets(tmp_path / "services.xlsx", {
        "Part 1": [row_of("services")], "Part 2": [partial],
    })
    with pytest.raises(ExtractError) as raised:
        land(path, CONTRACT_BY_NAME["services"])
    assert str(raised.value).startswith(f"{path}, sheet 'Part 2': has some of the services "
                                        "columns but is missing: kind")


def test_xlsx_with_no_sheet_of_the_columns_names_the_sheets(tmp_path):
    path = write_xlsx_sheets(tmp_path / "services.xlsx", {
        "Cover": [["Directory"]], "Notes": [["note"]],
    })
    with pytest.raises(ExtractError) as raised:
        land(path, CONTRACT_BY_NAME["services"])
    assert str(raised.value) == (
        f"{path}: no sheet has the columns of services (sheets: 'Cover', 'Notes')")


# --- the same heading twice ----------------------------------------------------------------------

@pytest.mark.parametrize("second", ["Rating ", "RATING", "rating"])
@pytest.mark.parametrize("writer", ["csv", "xlsx"])
def test_a_contract_heading_twice_is_refused_naming_both_columns(tmp_path, writer, second):
    rows = [row_of("ebe_reviews", rating="2") | {"second": "5"}]
    target = tmp_path / f"ebe_reviews.{writer}"
    write = write_csv if writer == "csv" else write_xlsx
    path = write(target, rows, headings={"second": second})
    with pytest.raises(ExtractError) as raised:
        land(path, CONTRACT_BY_NAME["ebe_reviews"])
    sheet = ", sheet 'data'" if writer == "xlsx" else ""
    assert str(raised.value) == (
        f"{path}{sheet}: the same column heading appears more than once: 'rating' (column 6) "
        f"and {second!r} (column 8); remove or rename one of them")


def test_a_parquet_column_twice_in_another_case_is_refused(tmp_path):
    frame = pl.DataFrame({k: [v] for k, v in row_of("ebe_reviews", rating="2").items()}) \
        .with_columns(pl.lit("5").alias("Rating "))
    path = write_parquet(tmp_path / "ebe_reviews.parquet", frame)
    with pytest.raises(ExtractError) as raised:
        land(path, CONTRACT_BY_NAME["ebe_reviews"])
    assert str(raised.value) == (
        f"{path}: the same column heading appears more than once: 'rating' (column 6) and "
        "'Rating ' (column 8); remove or rename one of them")


def test_an_unknown_heading_twice_is_only_ignored(tmp_path):
    path = write_csv(tmp_path / "ebe_reviews.csv", [row_of("ebe_reviews") | {"a": "1", "b": "2"}],
                     headings={"a": "Notes", "b": "notes "})
    landed, staged = land_and_stage(path, "ebe_reviews")
    assert landed.ignored_columns == ["Notes", "notes"]
    assert rejects_of(staged) == []


# --- Parquet -----------------------------------------------------------------------------------

def test_parquet_with_typed_columns(tmp_path):
    frame = pl.DataFrame({
        "episode_id": ["E1", "E2", "E3"],
        "person_id": ["P1", "P2", "P3"],
        "la": ["Camden", "E08000025", "Hackney"],
        "referral_source": ["prison", "self", "court"],
        "setting": ["community", "residential_rehab", "community"],
        "start_date": [date(2023, 6, 10), date(2023, 7, 1), date(2023, 8, 1)],
        "end_date": [None, datetime(2023, 9, 1), datetime(2023, 7, 1)],
        "exit_reason": [None, "completed_drug_free", "dropped_out"],
        "extra_flag": [True, False, True],
    })
    path = write_parquet(tmp_path / "community_episodes.parquet", frame)
    landed, staged = land_and_stage(path, "community_episodes")
    assert landed.ignored_columns == ["extra_flag"]
    assert rejects_of(staged) == [(4, "end_date", "end_date is before start_date")]
    assert staged.good.select("episode_id", "la", "start_date", "end_date").rows() == [
        ("E1", "E09000007", date(2023, 6, 10), None),
        ("E2", "E08000025", date(2023, 7, 1), date(2023, 9, 1)),
    ]


def test_parquet_numbers_and_booleans(tmp_path):
    base = {k: [v] for k, v in release(1).items()}
    frame = pl.DataFrame(base).with_columns(
        pl.lit(35, dtype=pl.Int32).alias("age"),
        pl.lit(True).alias("peer_mentor"),
        pl.lit(99.5).alias("release_budget_gbp"),
        pl.lit(date(2023, 6, 1)).alias("release_date"),
    )
    path = write_parquet(tmp_path / "prison_releases.parquet", frame)
    _, staged = land_and_stage(path)
    assert rejects_of(staged) == []
    assert staged.good.select("age", "peer_mentor", "release_budget_gbp", "release_date").row(0) \
        == (35, True, 99.5, date(2023, 6, 1))


@pytest.mark.parametrize(("instant", "zone", "london_date"), [
    (datetime(2023, 6, 30, 23, 30), "UTC", date(2023, 7, 1)),  # BST: already 00:30 on 1 July
    (datetime(2023, 12, 31, 23, 30), "UTC", date(2023, 12, 31)),  # GMT: same day
    (datetime(2023, 6, 30, 20, 0), "America/New_York", date(2023, 7, 1)),
    (datetime(2023, 7, 1, 0, 30), "Europe/Paris", date(2023, 6, 30)),
])
def test_parquet_time_stamps_with_a_zone_are_dates_in_london(tmp_path, instant, zone,
                                                             london_date):
    frame = pl.DataFrame({k: [v] for k, v in release(1).items()}).with_columns(
        pl.lit(instant).dt.replace_time_zone(zone).alias("release_date"),
        pl.lit(datetime(2023, 1, 10, 9, 0)).dt.replace_time_zone(zone).alias("reception_date"),
    )
    path = write_parquet(tmp_path / "prison_releases.parquet", frame)
    _, staged = land_and_stage(path)
    assert rejects_of(staged) == []
    assert staged.good.select("reception_date", "release_date").row(0) == (
        date(2023, 1, 10), london_date)


def test_parquet_naive_time_stamps_and_dates_are_unchanged(tmp_path):
    frame = pl.DataFrame({k: [v] for k, v in release(1).items()}).with_columns(
        pl.lit(datetime(2023, 6, 30)).alias("release_date"),
        pl.lit(date(2023, 1, 10)).alias("reception_date"),
    )
    path = write_parquet(tmp_path / "prison_releases.parquet", frame)
    _, staged = land_and_stage(path)
    assert staged.good.select("reception_date", "release_date").row(0) == (
        date(2023, 1, 10), date(2023, 6, 30))


# --- files that cannot be read -------------------------------------------------------------------

def test_binary_garbage_named_csv(tmp_path):
    path = tmp_path / "prison_releases.csv"
    path.write_bytes(bytes(range(256)) * 8 + os.urandom(512))
    with pytest.raises(ExtractError) as raised:
        land(path, PRISON_RELEASES)
    message = str(raised.value)
    assert message.startswith(str(path))
    assert "cannot be read as a CSV file" in message
    assert "not UTF-8" in message
    assert "\n" not in message


def test_a_missing_required_column_is_named(tmp_path):
    rows = [{k: v for k, v in release(1).items() if k not in ("age", "prison")}]
    path = write_csv(tmp_path / "prison_releases.csv", rows)
    with pytest.raises(ExtractError) as raised:
        land(path, PRISON_RELEASES)
    assert str(raised.value) == (
        f"{path}: missing required column(s) for prison_releases: prison, age"
    )


def test_a_row_with_too_many_values(tmp_path):
    path = write_csv(tmp_path / "prison_releases.csv", [release(1)])
    path.write_text(path.read_text() + "R2" + ",x" * 25 + "\n")
    with pytest.raises(ExtractError) as raised:
        land(path, PRISON_RELEASES)
    assert str(raised.value).startswith(f"{path}: cannot be read as a CSV file")
    assert "more values than the header" in str(raised.value)


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("prison_releases.xlsx", b"this is not a spreadsheet", "cannot be read as a XLSX file"),
    ("prison_releases.parquet", b"PAR1 not really", "cannot be read as a PARQUET file"),
    ("prison_releases.csv", b"", "missing required column(s)"),
    ("prison_releases.csv", b"release_id;person_id;prison\nR1;P1;BAI\n",
     "missing required column(s)"),
])
def test_other_unreadable_files(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ExtractError) as raised:
        land(path, PRISON_RELEASES)
    assert str(raised.value).startswith(str(path))
    assert expected in str(raised.value)


def test_header_only_file_lands_no_rows(tmp_path):
    path = write_csv(tmp_path / "prison_releases.csv", [release(1)])
    path.write_text(path.read_text().splitlines()[0] + "\n")
    landed, staged = land_and_stage(path)
    assert landed.rows_read == 0
    assert staged.good.height == 0
