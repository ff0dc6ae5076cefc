"""Command-line tools for developers and CI: training, evaluations, content checks. Not loaded
by either server."""
