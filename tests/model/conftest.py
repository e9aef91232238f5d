"""The regression tests reuse the Google tests' world: the fake on a real port, SQLite, a fixed clock.
(The hypothesis profiles are registered from tests/conftest.py: see tests/model/profiles.py.)"""

from tests.google.conftest import fake, make_world, world

__all__ = ["fake", "make_world", "world"]
