"""The frozen app's entry point: `ganlab` as the installed command is (`ganlab.cli:main`).

A training child process of a frozen app is this same executable, started by multiprocessing
with its own arguments: `freeze_support()` must run first, before any other import, so that the
child runs its task and exits instead of parsing `ganlab`'s command line.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from ganlab.cli import main

    sys.exit(main())
