"""Seeded synthetic data generator (DESIGN §8): every extract of §3, written as CSV.

The sample in `data_samples/` is made by `generate(Path("data_samples"))` with the defaults, and
the same generator, given a larger `scale`, makes the benchmark data sets. Everything is synthetic:
people, ids, dates, services, quotes and ratings are invented. The large extracts (prison releases
and community episodes) are simulated with vectorised numpy so a million releases and ten million
episodes take well under two minutes; the small extracts (services, recommendation progress,
expert-by-experience reviews, consultation feedback, comparators) are the same at every scale.

Calibration (DESIGN §8, at scale 1): about 2,700 London-resident releases a year over 2020/21 to
2024/25 plus a share of non-London and unknown residents; London continuity of care rising from
about 25% to about 47% with boroughs spread around it; women about 9% of releases, mostly via
Bronzefield; Tier 4 entries about 2% of releases; about 28% no fixed abode on release; repeat
custody with about 35-40% returning within a year. The extracts carry the messiness the contracts
allow (names instead of codes, DD/MM/YYYY dates, mixed boolean spellings), and `bad_row_rate`
adds rows that break one contract rule each, for demonstrations and tests.

Modules, by job: `calibration` (the figures above), `draws` (random draws, day numbers),
`people` (releases), `episodes` (journeys after release and background episodes), `extracts`
(the large extracts as accepted messy text), `messiness` (rows that break a rule), `services`,
`progress` (recommendation updates), `texts` and `lived_experience` (EbE reviews and
consultation feedback), `comparators` (Fingertips format) and `write` (`generate`).
"""

from pipelines.synth.calibration import DEFAULT_SEED, SAMPLE_CUTOFF
from pipelines.synth.write import generate

__all__ = ["DEFAULT_SEED", "SAMPLE_CUTOFF", "generate"]
