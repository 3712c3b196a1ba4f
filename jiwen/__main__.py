"""`python -m jiwen`: the scheduler starts each crawl this way, with the same interpreter it runs
under, so a crawl never depends on which `jiwen` script happens to be first on PATH."""

import sys

try:
    # The import is inside: a stop that arrives while the libraries load (seconds) ends the
    # process quietly with 130, like one during a command, not with an import traceback.
    from jiwen.cli import main

    main()
except KeyboardInterrupt:
    print("jiwen: interrupted", file=sys.stderr)
    sys.exit(130)
