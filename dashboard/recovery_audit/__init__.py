"""The Recovery Audit (recommendation 7) and EbE training (R8), co-produced with experts by
experience.

- contracts: the app-store kinds (framework questions, rounds, ratings, training sessions) and
  the rating scale. Pure; the store imports it.
- framework: the versioned framework (domains, questions, what good looks like, evidence KPIs);
  version 1 is seeded here, later versions are saved by an admin in the app store.
- records: reading and writing audit entries through the app store's one write path.
- scoring: domain scores by service, borough and London for both views; disagreements;
  strengths and areas for improvement; change since the previous round; best practice.
- template: the per-service Excel template and its import with row-level rejects.
- sample: the synthetic sample rounds (data_samples/recovery_audit/), seeded into an empty store.
- `python -m dashboard.recovery_audit template|import|seed` (cli).

This file imports nothing, so dashboard.store can import the contracts without a cycle.
"""
