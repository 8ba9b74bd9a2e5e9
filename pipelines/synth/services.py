"""The services extract: treatment, peer support, hubs, women's services and rehabs by LA."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipelines.definitions.contracts import SERVICES
from pipelines.definitions.reference import LA_BY_CODE, LONDON_LAS
from pipelines.synth.draws import iso_text, random_date, some

SERVICE_PLAN = {  # kind: (LAs that have one, names, drop-in share, women only, fte range)
    "community_treatment": ("all", ("{b} Drug and Alcohol Service", "{b} Recovery Service"),
                            0.5, False, (0.0, 3.0)),
    "peer_support": (22, ("{b} Peer Recovery Network", "{b} Recovery Community"), 0.8, False,
                     (1.0, 8.0)),
    "one_stop_shop": (12, ("{b} Recovery Hub", "{b} Release Hub"), 1.0, False, (1.0, 4.0)),
    "womens_service": (14, ("{b} Women's Recovery Space", "{b} Women's Centre"), 0.6, True,
                       (0.5, 3.0)),
    "residential_rehab": (8, ("Elmfield House", "Larch Court", "Willow Lodge", "Harbour House",
                              "Cedar View", "Riverside Lodge", "Hawthorn House",
                              "Orchard Court"), 0.0, False, (0.0, 2.0)),
}
LARGE_BOROUGHS_WITH_SECOND_SERVICE = ("E09000008", "E09000012", "E09000022", "E09000025",
                                      "E09000028", "E09000030", "E09000033")


def services_frame(rng: np.random.Generator) -> pl.DataFrame:
    rows: list[dict[str, object]] = []
    codes = [la.code for la in LONDON_LAS]

    def add(code: str, kind: str, name: str, opened: date, closed: date | None,
            drop_in: bool, women_only: bool, fte: float) -> None:
        rows.append({"service_id": f"SVC-{len(rows) + 1:03d}", "name": name, "la": code,
                     "kind": kind, "drop_in": "true" if drop_in else "false",
                     "women_only": "true" if women_only else "false",
                     "paid_peer_support_fte": f"{fte:.1f}", "opened_on": iso_text(opened),
                     "closed_on": iso_text(closed) if closed else None})

    for kind, (where, names, drop_in_share, women_only, (low, high)) in SERVICE_PLAN.items():
        chosen = codes if where == "all" else some(rng, codes, int(where))
        for number, code in enumerate(chosen):
            borough = LA_BY_CODE[code].name
            pick = number if kind == "residential_rehab" else int(rng.integers(len(names)))
            name = names[pick % len(names)].format(b=borough)
            first_open = {"one_stop_shop": date(2023, 1, 1), "womens_service": date(2018, 1, 1),
                          "peer_support": date(2015, 1, 1)}.get(kind, date(2008, 1, 1))
            last_open = date(2025, 6, 30) if kind == "one_stop_shop" else date(2023, 12, 31)
            fte = round(float(rng.uniform(low, high)) * 2) / 2
            add(code, kind, name, random_date(rng, first_open, last_open), None,
                bool(rng.random() < drop_in_share), women_only, fte)
            if kind == "community_treatment" and code in LARGE_BOROUGHS_WITH_SECOND_SERVICE:
                add(code, kind, f"{borough} Alcohol Service",
                    random_date(rng, date(2010, 1, 1), date(2022, 12, 31)), None,
                    bool(rng.random() < 0.5), False, round(float(rng.uniform(0, 2)) * 2) / 2)
    # Services recommissioned away, and second peer networks in a few places.
    for code in some(rng, codes, 12):
        opened = random_date(rng, date(2009, 1, 1), date(2016, 12, 31))
        closed = random_date(rng, date(2019, 1, 1), date(2024, 12, 31))
        add(code, "community_treatment", f"{LA_BY_CODE[code].name} Substance Misuse Service",
            opened, closed, False, False, 0.0)
    for code in some(rng, codes, 8):
        add(code, "peer_support", f"{LA_BY_CODE[code].name} Through the Gate Peers",
            random_date(rng, date(2021, 1, 1), date(2025, 3, 31)), None, True, False,
            round(float(rng.uniform(1, 5)) * 2) / 2)
    return pl.DataFrame(rows, schema={c: pl.String for c in SERVICES.column_names})
