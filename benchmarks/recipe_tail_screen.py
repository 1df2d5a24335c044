"""Screen the cosine-tail fraction τ (issue 15): `ganlab train` with `lr_schedules.TAIL` set.

τ is a module constant, not a setting (⅓: the full rate for two-thirds of the run, then a
cosine to 0). This runs one ordinary `ganlab train` in this process with τ replaced, so the
question "does a shorter run with the same annealing tail keep the precision?" can be asked
without a new setting. It prints the process's CPU seconds at the end.

    python benchmarks/recipe_tail_screen.py 0.5 train --target grid25 --iterations 6000 \\
        --seed 2 --threads 1 --quiet --out runs/tail_s2
"""

import sys
import time

if __name__ == "__main__":
    import ganlab.core.lr_schedules as schedules

    schedules.TAIL = float(sys.argv[1])
    from ganlab.cli import main

    sys.argv = ["ganlab", *sys.argv[2:]]
    started = time.process_time()
    code = main()
    print(f"cpu_seconds {time.process_time() - started:.1f}")
    sys.exit(code)
