"""The repository's own tools: building the book, the site's assets, checks and measurements.

Run them from the repository root as modules, e.g. `.venv/bin/python -m tools.budgets`; tests import them as
`from tools import book_build`.
"""
