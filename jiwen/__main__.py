"""`python -m jiwen`: the scheduler starts each crawl this way, with the same interpreter it runs
under, so a crawl never depends on which `jiwen` script happens to be first on PATH."""

from jiwen.cli import main

if __name__ == "__main__":
    main()
