"""Hypothesis profiles for the model test of the whole service (tests/model/).

The default, bounded run is what CI runs; `--hypothesis-profile=long` runs for minutes and is what to
run before resolving an issue. Registered from tests/conftest.py so the option works however pytest is
started (the hypothesis plugin loads the profile before tests/model/ is collected)."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

# A bounded run: a few people, each doing a few dozen things; well under a minute on one core. It
# does not shrink (a step costs tens of milliseconds, so shrinking a long run takes many minutes):
# a failure prints every step and a reproduce_failure blob; the long profile shrinks.
BOUNDED = settings(
    max_examples=6,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=_SLOW_IS_FINE,
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)

settings.register_profile(
    "long",
    max_examples=300,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=_SLOW_IS_FINE,
    print_blob=True,
)


def model_settings() -> settings:
    """The bounded settings, unless a longer profile was asked for on the command line."""
    if settings.get_current_profile_name() == "long":
        return settings.get_profile("long")
    return BOUNDED
