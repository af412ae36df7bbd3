"""How much generated input the property-based tests use: one switch, two profiles.

``make test`` runs the ``ci`` profile (the default): each fuzz test gets a tenth of its
thorough count (at least 100 inputs), enough to catch a regression in seconds rather
than minutes on the 2-core CI machine. ``make test-thorough`` sets
``HYPOTHESIS_PROFILE=thorough``: every test gets its full count (more than 10,000
hostile requests in the casework fuzz test alone); run it before a release.
"""

import os

from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in {"ci", "thorough"}:
    raise RuntimeError(f"HYPOTHESIS_PROFILE must be 'ci' or 'thorough', not {PROFILE!r}")

# Tests without an explicit count use Hypothesis' own default (100) under ci.
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "thorough", max_examples=1_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(PROFILE)


def examples(thorough: int) -> int:
    """The number of inputs for a test whose thorough run uses ``thorough``."""
    return thorough if PROFILE == "thorough" else max(100, thorough // 10)
