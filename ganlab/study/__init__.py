"""Studies: a grid of ordinary ganlab runs (objectives × seeds × settings × budgets), run on a
local pool of processes or a Ray cluster, resumable, and summarised in a report.

- `grid`: the study's description (`StudySpec`) and the runs it expands to (`PlannedRun`).
- `study_file`: a study described in a TOML file, read as untrusted input.
- `run_task`: one run, executed where a worker runs it (train, write the run folder, record).
- `study_folder`: the folder's layout, its `study.json`, per-run records, what is left to do.
- `local_pool`, `ray_pool`: the two ways of executing runs (no scheduler of our own).
- `runner`: plan → dispatch → records → report.
- `report`, `report_plots`: `report.md`, `runs.csv` and the PNG plots, from a folder alone.

Qt-free: the CLI and the app both use it.
"""
