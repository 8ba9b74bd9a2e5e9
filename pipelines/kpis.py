"""KPI computation (DESIGN §5): from linked journeys to the long `kpi_values` table.

Counts are aggregated by period (financial year, quarter, 3-year rolling), geography (LA of
residence, sub-region, London, prison of release) and breakdown, for every KPI in the registry.
Then, in order: cohort maturity, disclosure control (pipelines.disclosure), Wilson intervals,
benchmarks against London and England, the recent-trend marker and SPC signals.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from pipelines import disclosure, stats
from pipelines.definitions import reference
from pipelines.definitions.registry import AGE_BANDS, BREAKDOWNS, KPI_BY_ID, KPIS, Kpi

ROLLING_YEARS = 3
TREND_POINTS = 5
ROLLING_AREA_TYPES = ("la", "subregion", "london")
AREA_TYPES = ("la", "subregion", "london", "prison")
CELL_KEYS = ("kpi_id", "period", "area_type", "area_code", "breakdown", "category")

KPI_VALUES_SCHEMA: dict[str, pl.DataType] = {
    "kpi_id": pl.String(),
    "period": pl.String(),
    "period_type": pl.String(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "area_type": pl.String(),
    "area_code": pl.String(),
    "area_name": pl.String(),
    "breakdown": pl.String(),
    "category": pl.String(),
    "numerator": pl.Int64(),
    "denominator": pl.Int64(),
    "value": pl.Float64(),
    "lower_95": pl.Float64(),
    "upper_95": pl.Float64(),
    "lower_998": pl.Float64(),
    "upper_998": pl.Float64(),
    "status": pl.String(),
    "note": pl.String(),
    "compared_to_london": pl.String(),
    "compared_to_england": pl.String(),
    "compared_to_area": pl.String(),
    "trend": pl.String(),
    "spc_signal": pl.String(),
    "spc_rule": pl.String(),
    "spc_limits": pl.String(),
    "spc_mean": pl.Float64(),
    "spc_lower": pl.Float64(),
    "spc_upper": pl.Float64(),
    "spc_assurance": pl.String(),
    "available_from": pl.Date(),
}

_LA_SUBREGION = {la.code: la.subregion for la in reference.LONDON_LAS}


def fy_start_year(day: pl.Expr) -> pl.Expr:
    return pl.when(day.dt.month() >= 4).then(day.dt.year()).otherwise(day.dt.year() - 1)


def fy_label(start_year: pl.Expr) -> pl.Expr:
    return pl.format("{}/{}", start_year, (start_year + 1).mod(100).cast(pl.String).str.zfill(2))


def fy_label_text(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a period label: '2023/24', '2023/24 Q2' or '2021/22 to 2023/24'."""
    if " to " in period:
        first, last = period.split(" to ")
        return period_bounds(first)[0], period_bounds(last)[1]
    start_year = int(period[:4])
    if " Q" in period:
        quarter = int(period[-1])
        month = 4 + 3 * (quarter - 1)
        year = start_year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        start = date(year, month, 1)
        end_month = month + 3
        end_year = year + (end_month - 1) // 12
        end_month = (end_month - 1) % 12 + 1
        return start, date(end_year, end_month, 1) - timedelta(days=1)
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def _age_band(age: pl.Expr) -> pl.Expr:
    expr = pl.lit(None, dtype=pl.String)
    for label, low, high in reversed(AGE_BANDS):
        expr = pl.when(age.is_between(low, high)).then(pl.lit(label)).otherwise(expr)
    return expr


def _yes_no(flag: pl.Expr) -> pl.Expr:
    return pl.when(flag).then(pl.lit("yes")).otherwise(pl.lit("no"))


def release_facts(journeys: pl.DataFrame) -> pl.DataFrame:
    """One row per release: period, geography, breakdown categories and KPI numerators and
    denominators as 0/1."""
    london = pl.col("residence_la").is_in(list(_LA_SUBREGION))
    fy = fy_start_year(pl.col("release_date"))
    quarter = ((pl.col("release_date").dt.month() - 4).mod(12) // 3 + 1)
    known_accommodation = pl.col("accommodation_on_release") != "unknown"
    facts = journeys.select(
        fy_label(fy).alias("year"),
        pl.format("{} Q{}", fy_label(fy), quarter).alias("quarter"),
        pl.when(london).then(pl.col("residence_la")).alias("la"),
        pl.when(london).then(
            pl.col("residence_la").replace_strict(_LA_SUBREGION, default=None)
        ).alias("subregion"),
        pl.when(london).then(pl.lit(reference.LONDON_CODE)).alias("london"),
        pl.col("prison"),
        pl.lit("all").alias("all"),
        pl.col("sex"),
        _age_band(pl.col("age")).alias("age_band"),
        pl.col("substance_group"),
        pl.col("release_type"),
        _yes_no(pl.col("completed_programme")).alias("completed_programme"),
        _yes_no(pl.col("peer_mentor")).alias("peer_mentor"),
        # numerators
        (pl.col("engaged_21d") & pl.col("coc_eligible")).alias("coc_21d__num"),
        pl.col("tier4_12w").alias("tier4_on_release__num"),
        pl.col("engaged_6m").alias("engaged_6m__num"),
        pl.col("completed_12m").alias("completed_12m__num"),
        pl.col("returned_custody_12m").alias("returned_custody_12m__num"),
        (pl.col("accommodation_on_release") == "settled").alias("settled_on_release__num"),
        pl.col("pre_release_contact").alias("pre_release_contact__num"),
        pl.col("informed_at_reception").alias("informed_at_reception__num"),
        pl.col("met_at_gate_by_peer").alias("met_by_peer__num"),
        (pl.col("release_budget_gbp").fill_null(0) > 0).alias("release_budget__num"),
        known_accommodation.alias("_known_accommodation"),
        pl.col("coc_eligible").alias("_coc_eligible"),
    )
    return facts.with_columns(pl.col(f"{k.id}__num").cast(pl.Int32) for k in KPIS).with_columns(
        pl.lit(1, dtype=pl.Int32).alias("_releases"),
        pl.col("_known_accommodation").cast(pl.Int32),
        pl.col("_coc_eligible").cast(pl.Int32),
    )


DENOMINATOR_COLUMNS = {"releases": "_releases", "known_accommodation": "_known_accommodation",
                       "coc_eligible": "_coc_eligible"}


def _denominator_column(kpi: Kpi) -> str:
    return DENOMINATOR_COLUMNS[kpi.denominator_family]


def aggregate(facts: pl.DataFrame) -> pl.DataFrame:
    """Sum numerators and denominators for every period, area and breakdown (wide by KPI).

    Each breakdown is first summed over release rows once, by quarter, year, LA of residence
    and prison; every period and area level is then rolled up from that small frame.
    """
    value_columns = [f"{k.id}__num" for k in KPIS] + list(DENOMINATOR_COLUMNS.values())
    place = ["quarter", "year", "la", "subregion", "london", "prison"]
    frames = []
    for breakdown in BREAKDOWNS:
        base = facts.group_by(*place, pl.col(breakdown).cast(pl.String).alias("category")).agg(
            pl.col(c).sum() for c in value_columns)
        for period_type in ("year", "quarter"):
            for area_type in AREA_TYPES:
                frames.append(
                    base.filter(pl.col(area_type).is_not_null())
                    .group_by(pl.col(period_type).alias("period"),
                              pl.col(area_type).alias("area_code"), "category")
                    .agg(pl.col(c).sum() for c in value_columns)
                    .with_columns(
                        pl.lit(period_type).alias("period_type"),
                        pl.lit(area_type).alias("area_type"),
                        pl.lit(breakdown).alias("breakdown"),
                    )
                )
    cube = pl.concat(frames, how="diagonal").filter(pl.col("category").is_not_null())
    return pl.concat([cube, _rolling(cube)], how="diagonal")


def _rolling(cube: pl.DataFrame) -> pl.DataFrame:
    """3-year rolling sums for LAs, sub-regions and London, over consecutive financial years."""
    years = sorted(cube.filter(pl.col("period_type") == "year").get_column("period").unique())
    if len(years) < ROLLING_YEARS:
        return cube.clear()
    value_columns = [c for c in cube.columns if c.endswith("__num") or c.startswith("_")]
    yearly = cube.filter(
        (pl.col("period_type") == "year") & pl.col("area_type").is_in(ROLLING_AREA_TYPES)
    )
    frames = []
    for end in range(ROLLING_YEARS - 1, len(years)):
        window = years[end - ROLLING_YEARS + 1: end + 1]
        label = f"{window[0]} to {window[-1]}"
        frames.append(
            yearly.filter(pl.col("period").is_in(window))
            .group_by("area_type", "area_code", "breakdown", "category")
            .agg(pl.col(c).sum() for c in value_columns)
            .with_columns(pl.lit(label).alias("period"), pl.lit("rolling_3y").alias("period_type"))
        )
    return pl.concat(frames, how="diagonal")


def long_values(cube: pl.DataFrame) -> pl.DataFrame:
    """One row per KPI and cell, with numerator and denominator; empty cells dropped."""
    frames = [
        cube.select(
            pl.lit(kpi.id).alias("kpi_id"), "period", "period_type", "area_type", "area_code",
            "breakdown", "category",
            pl.col(f"{kpi.id}__num").cast(pl.Int64).alias("numerator"),
            pl.col(_denominator_column(kpi)).cast(pl.Int64).alias("denominator"),
            pl.lit(kpi.denominator_family).alias("denominator_family"),
        )
        for kpi in KPIS
    ]
    values = pl.concat(frames).filter(pl.col("denominator") > 0)
    bounds = {p: period_bounds(p) for p in values.get_column("period").unique().to_list()}
    return values.with_columns(
        pl.col("period").replace_strict({p: b[0] for p, b in bounds.items()},
                                        return_dtype=pl.Date).alias("period_start"),
        pl.col("period").replace_strict({p: b[1] for p, b in bounds.items()},
                                        return_dtype=pl.Date).alias("period_end"),
        pl.col("period").str.slice(0, 7).alias("_fy"),
        pl.when(pl.col("area_type") == "la")
        .then(pl.col("area_code").replace_strict(_LA_SUBREGION, default=None))
        .alias("_subregion"),
    )


def disclosure_groups(prefix: tuple[str, ...]) -> list[disclosure.Membership]:
    """The hierarchies along which a published total sits beside its parts."""
    area_keys = (*prefix, "period", "breakdown", "category")
    area_type = pl.col("area_type")
    groups = [
        disclosure.Membership("LAs in London", area_keys, area_type == "london",
                              area_type == "la"),
        disclosure.Membership("sub-regions in London", area_keys, area_type == "london",
                              area_type == "subregion"),
        disclosure.Membership("LAs in sub-regions", area_keys, area_type == "subregion",
                              area_type == "la", part_column="_subregion",
                              total_column="area_code"),
        disclosure.Membership(
            "quarters in year", (*prefix, "area_type", "area_code", "breakdown", "category"),
            pl.col("period_type") == "year", pl.col("period_type") == "quarter",
            part_column="_fy", total_column="period",
        ),
    ]
    for breakdown in BREAKDOWNS[1:]:
        groups.append(disclosure.Membership(
            f"categories of {breakdown}", (*prefix, "period", "area_type", "area_code"),
            pl.col("breakdown") == "all", pl.col("breakdown") == breakdown,
        ))
    return groups


def suppress(values: pl.DataFrame) -> pl.DataFrame:
    """Add `denominator_hidden` and `numerator_hidden`, applying §6 to both.

    Denominators shared by several KPIs are decided once per family, so a denominator hidden in
    one KPI cannot be read off another. A hidden denominator hides the numerator too. Rounds of
    group protection and rolling-window protection repeat until nothing more is hidden.
    """
    cell_keys = list(CELL_KEYS[1:])
    dens = (
        values.select("denominator_family", *cell_keys, "period_type", "_fy", "_subregion",
                      "denominator")
        .unique(subset=["denominator_family", *cell_keys])
        # Numbered in key order: suppression breaks ties by this number (see outputs).
        .sort("denominator_family", *cell_keys)
        .with_row_index(disclosure.CELL)
        .with_columns(pl.col(disclosure.CELL).cast(pl.Int64),
                      disclosure.is_small(pl.col("denominator")).alias("denominator_hidden"))
    )
    den_groups = disclosure_groups(("denominator_family",))
    den_series = ("denominator_family", "area_type", "area_code", "breakdown", "category")
    dens = _settle(dens, "denominator", "denominator_hidden", den_groups, den_series)

    nums = values.join(
        dens.select("denominator_family", *cell_keys, "denominator_hidden"),
        on=["denominator_family", *cell_keys], how="left",
    ).sort("kpi_id", *cell_keys).with_row_index(disclosure.CELL).with_columns(
        pl.col(disclosure.CELL).cast(pl.Int64),
        (disclosure.is_small(pl.col("numerator")) | pl.col("denominator_hidden"))
        .alias("numerator_hidden"),
    )
    num_groups = disclosure_groups(("kpi_id",))
    num_series = ("kpi_id", "area_type", "area_code", "breakdown", "category")
    nums = _settle(nums, "numerator", "numerator_hidden", num_groups, num_series)
    return nums.drop(disclosure.CELL)


def _settle(cells: pl.DataFrame, count: str, hidden: str,
            groups: list[disclosure.Membership], series: tuple[str, ...]) -> pl.DataFrame:
    previous = -1
    while True:
        cells = disclosure.protect(cells, count, hidden, groups, series)
        cells = disclosure.protect_rolling(cells, hidden, series)
        now = int(cells.get_column(hidden).sum())
        if now == previous:
            return cells
        previous = now


def maturity(values: pl.DataFrame, cutoff: date) -> pl.DataFrame:
    """`available_from`: the first day the period's figure is complete; immature until then."""
    follow_up = pl.col("kpi_id").replace_strict(
        {k.id: k.follow_up_days for k in KPIS}, return_dtype=pl.Int64
    )
    available = pl.col("period_end") + pl.duration(days=follow_up + 1)
    return values.with_columns(
        available.cast(pl.Date).alias("available_from"),
        (available.cast(pl.Date) <= pl.lit(cutoff) + timedelta(days=1)).alias("_mature"),
    )


def england_values(comparators: pl.DataFrame | None) -> pl.DataFrame:
    """England rows for each KPI that has a published comparator (Fingertips download)."""
    schema = {"kpi_id": pl.String, "period": pl.String, "numerator": pl.Int64,
              "denominator": pl.Int64, "value": pl.Float64, "lower_95": pl.Float64,
              "upper_95": pl.Float64, "note": pl.String}
    if comparators is None or comparators.is_empty():
        return pl.DataFrame(schema=schema)
    frames = []
    for kpi in KPIS:
        if not kpi.comparator_names:
            continue
        name = pl.col("indicator_name").str.to_lowercase()
        matches = pl.any_horizontal(name.str.contains(n.lower(), literal=True)
                                    for n in kpi.comparator_names)
        frames.append(
            comparators.filter(matches & (pl.col("area_code") == reference.ENGLAND_CODE))
            .select(
                pl.lit(kpi.id).alias("kpi_id"),
                pl.col("time_period").str.strip_chars().alias("period"),
                pl.col("count").round().cast(pl.Int64).alias("numerator"),
                pl.col("denominator").round().cast(pl.Int64).alias("denominator"),
                pl.col("value"), pl.col("lower_ci_95").alias("lower_95"),
                pl.col("upper_ci_95").alias("upper_95"), pl.col("value_note").alias("note"),
            )
        )
    return pl.concat(frames).unique(["kpi_id", "period"], keep="last") if frames \
        else pl.DataFrame(schema=schema)


def _with_figures(values: pl.DataFrame) -> pl.DataFrame:
    """Status, note, value and Wilson intervals; hidden figures are emptied."""
    status = (
        pl.when(~pl.col("_mature")).then(pl.lit("immature"))
        .when(pl.col("numerator_hidden")).then(pl.lit("suppressed"))
        .otherwise(pl.lit("published"))
    )
    small = disclosure.is_small(pl.col("numerator")) | disclosure.is_small(pl.col("denominator"))
    note = (
        pl.when(~pl.col("_mature"))
        .then(pl.format("Not yet available: the follow-up period is not complete. "
                        "Available once data to {} is loaded.",
                        pl.col("available_from").dt.strftime("%-d %B %Y")))
        .when(pl.col("numerator_hidden") & small).then(pl.lit(disclosure.SUPPRESSION_NOTE))
        .when(pl.col("numerator_hidden")).then(pl.lit(disclosure.SECONDARY_NOTE))
    )
    lower95, upper95 = stats.wilson_exprs("numerator", "denominator", stats.Z_95)
    lower998, upper998 = stats.wilson_exprs("numerator", "denominator", stats.Z_998)
    shown = pl.col("status") == "published"
    den_shown = (pl.col("status") != "immature") & ~pl.col("denominator_hidden")
    return values.with_columns(status.alias("status"), note.alias("note")).with_columns(
        pl.when(shown).then(pl.col("numerator")).alias("numerator"),
        pl.when(den_shown).then(pl.col("denominator")).alias("denominator"),
        pl.when(shown).then(pl.col("numerator") / pl.col("denominator") * 100).alias("value"),
        pl.when(shown).then(lower95).alias("lower_95"),
        pl.when(shown).then(upper95).alias("upper_95"),
        pl.when(shown).then(lower998).alias("lower_998"),
        pl.when(shown).then(upper998).alias("upper_998"),
    )


def _comparisons(values: pl.DataFrame, england: pl.DataFrame) -> pl.DataFrame:
    london = values.filter((pl.col("area_type") == "london") & (pl.col("status") == "published"))
    values = values.join(
        london.select("kpi_id", "period", "breakdown", "category",
                      pl.col("value").alias("_london_value")),
        on=["kpi_id", "period", "breakdown", "category"], how="left",
    ).join(
        england.select("kpi_id", "period", pl.col("value").alias("_england_value")),
        on=["kpi_id", "period"], how="left",
    ).with_columns(
        pl.when((pl.col("breakdown") == "all") & (pl.col("period_type") == "year"))
        .then(pl.col("_england_value")).alias("_england_value")
    )
    frames = []
    for kpi in KPIS:
        part = values.filter(pl.col("kpi_id") == kpi.id)
        frames.append(part.with_columns(
            _label(stats.compare_expr("lower_95", "upper_95", "_london_value", kpi.polarity),
                   "London").alias("compared_to_london"),
            _label(stats.compare_expr("lower_95", "upper_95", "_england_value", kpi.polarity),
                   "England").alias("compared_to_england"),
        ))
    result = pl.concat(frames)
    return result.with_columns(
        pl.when(pl.col("area_type") == "london").then(None)
        .otherwise(pl.col("compared_to_london")).alias("compared_to_london")
    )


def _label(token: pl.Expr, comparator_name: str) -> pl.Expr:
    return token.replace_strict(
        {t: stats.comparison_label(t, comparator_name)
         for t in (stats.BETTER, stats.WORSE, stats.SIMILAR, stats.HIGHER, stats.LOWER)},
        default=stats.NOT_COMPARED, return_dtype=pl.String,
    )


def _series_markers(values: pl.DataFrame) -> pl.DataFrame:
    """Recent trend on year rows (5 most recent published points up to each year), per KPI,
    area, breakdown and category, and SPC signals on the quarter rows of headline series."""
    series = ["kpi_id", "area_type", "area_code", "breakdown", "category"]
    shown_value = pl.when(pl.col("status") == "published").then(pl.col("value"))
    years = (
        values.filter(pl.col("period_type") == "year").sort("period")
        .group_by(series).agg("period", "numerator", "denominator",
                              (pl.col("status") == "published").alias("published"))
    )
    trend_rows: list[tuple] = []
    for row in years.iter_rows(named=True):
        kpi = KPI_BY_ID[row["kpi_id"]]
        key = tuple(row[c] for c in series)
        for i, period in enumerate(row["period"]):
            start = i - TREND_POINTS + 1
            if start >= 0 and all(row["published"][start:i + 1]):
                label = stats.recent_trend(row["numerator"][start:i + 1],
                                           row["denominator"][start:i + 1], kpi.polarity,
                                           kpi.trend_method)
            else:
                label = stats.TREND_CANNOT
            trend_rows.append((*key, period, label))
    # SPC charts are for the headline quarterly series (no breakdown); fewer than
    # stats.SPC_MIN_POINTS points give trial limits and no signals.
    quarters = (
        values.filter((pl.col("period_type") == "quarter") & (pl.col("breakdown") == "all"))
        .sort("period")
        .group_by(series).agg("period", shown_value.alias("shown"))
        .filter(pl.col("shown").list.drop_nulls().list.len() >= 2)
    )
    spc_rows: list[tuple] = []
    for row in quarters.iter_rows(named=True):
        kpi = KPI_BY_ID[row["kpi_id"]]
        key = tuple(row[c] for c in series)
        options = stats.SpcOptions(
            baseline=kpi.spc_baseline, target=kpi.target,
            change_points=tuple(row["period"].index(p) for p in kpi.spc_change_periods
                                if p in row["period"]),
        )
        chart = stats.spc_chart(row["shown"], kpi.polarity, options)
        spc_rows.extend((*key, p, c.signal, c.rule, c.limits, c.mean, c.lower, c.upper,
                         c.assurance) for p, c in zip(row["period"], chart, strict=True))
    schema = {c: pl.String for c in [*series, "period"]}
    trends = pl.DataFrame(trend_rows, schema=schema | {"trend": pl.String}, orient="row")
    spc_schema = {"spc_signal": pl.String, "spc_rule": pl.String, "spc_limits": pl.String,
                  "spc_mean": pl.Float64, "spc_lower": pl.Float64, "spc_upper": pl.Float64,
                  "spc_assurance": pl.String}
    signals = pl.DataFrame(spc_rows, schema=schema | spc_schema, orient="row")
    return values.join(trends, on=[*series, "period"], how="left").join(
        signals, on=[*series, "period"], how="left")


def _england_rows(england: pl.DataFrame) -> pl.DataFrame:
    if england.is_empty():
        return pl.DataFrame(schema=KPI_VALUES_SCHEMA)
    bounds = {p: period_bounds(p) for p in england.get_column("period").unique().to_list()}
    lower998, upper998 = stats.wilson_exprs("numerator", "denominator", stats.Z_998)
    shown = pl.col("value").is_not_null()
    return england.with_columns(
        pl.lit("year").alias("period_type"),
        pl.col("period").replace_strict({p: b[0] for p, b in bounds.items()},
                                        return_dtype=pl.Date).alias("period_start"),
        pl.col("period").replace_strict({p: b[1] for p, b in bounds.items()},
                                        return_dtype=pl.Date).alias("period_end"),
        pl.lit("england").alias("area_type"),
        pl.lit(reference.ENGLAND_CODE).alias("area_code"),
        pl.lit("all").alias("breakdown"),
        pl.lit("all").alias("category"),
        pl.when(shown).then(lower998).alias("lower_998"),
        pl.when(shown).then(upper998).alias("upper_998"),
        pl.when(shown).then(pl.lit("published")).otherwise(pl.lit("suppressed")).alias("status"),
        pl.coalesce(pl.col("note"), pl.lit("Published value (Fingertips download)"))
        .alias("note"),
    )


def _area_comparisons(values: pl.DataFrame) -> pl.DataFrame:
    """`compared_to_area`: a breakdown category against the same area's overall figure (women
    in Lambeth against all of Lambeth, as FingertipsNext does), with the comparator named."""
    keys = ["kpi_id", "period", "area_type", "area_code"]
    overall = values.filter((pl.col("breakdown") == "all") & (pl.col("status") == "published"))
    values = values.join(overall.select(*keys, pl.col("value").alias("_overall")), on=keys,
                         how="left")
    frames = []
    for kpi in KPIS:
        token = stats.compare_expr("lower_95", "upper_95", "_overall", kpi.polarity)
        label = pl.lit(stats.NOT_COMPARED)
        for t in (stats.BETTER, stats.WORSE, stats.SIMILAR, stats.HIGHER, stats.LOWER):
            label = pl.when(token == t).then(
                pl.format(stats.comparison_label(t, "{} overall"), pl.col("area_name"))
            ).otherwise(label)
        frames.append(values.filter(pl.col("kpi_id") == kpi.id).with_columns(
            pl.when((pl.col("breakdown") != "all") & (pl.col("area_type") != "england"))
            .then(label).alias("compared_to_area")))
    rest = values.filter(~pl.col("kpi_id").is_in([k.id for k in KPIS]))
    return pl.concat([*frames, rest.with_columns(pl.lit(None, pl.String)
                                                 .alias("compared_to_area"))]).drop("_overall")


def _area_names(values: pl.DataFrame) -> pl.DataFrame:
    codes = values.get_column("area_code").unique().to_list()
    return values.with_columns(
        pl.col("area_code").replace_strict({c: reference.area_name(c) for c in codes},
                                           return_dtype=pl.String).alias("area_name")
    )


def kpi_values(journeys: pl.DataFrame, cutoff: date,
               comparators: pl.DataFrame | None = None) -> pl.DataFrame:
    """The published `kpi_values` table (schema KPI_VALUES_SCHEMA)."""
    values = long_values(aggregate(release_facts(journeys)))
    values = maturity(suppress(values), cutoff)
    values = _with_figures(values)
    england = england_values(comparators)
    values = _series_markers(_comparisons(values, england))
    values = pl.concat([values, _england_rows(england)], how="diagonal_relaxed")
    return _area_comparisons(_area_names(values)).select(
        pl.col(name).cast(dtype) for name, dtype in KPI_VALUES_SCHEMA.items()
    ).sort("kpi_id", "period_type", "period", "area_type", "area_code", "breakdown", "category")
