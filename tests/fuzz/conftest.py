"""Hypothesis profiles for the fuzz suite.

"ci" (the default) draws the same examples on every run, so a red build always means a change
broke something, never an unlucky draw. Hunt for new failures with random draws, run after
run: `HYPOTHESIS_PROFILE=explore make test PYTEST_ARGS=tests/fuzz`; each failure it prints is a
case to fix and then keep as a test.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
