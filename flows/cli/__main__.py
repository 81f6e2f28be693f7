"""`python -m flows.cli` runs the thresher CLI."""

from flows.cli import main

raise SystemExit(main())
