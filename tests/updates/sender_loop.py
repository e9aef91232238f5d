"""A sender process for the kill -9 test: sends due deliveries one at a time, for ever, with the
settings from the environment (NETGOALS_*). The test kills it at random moments."""

from __future__ import annotations

import time

from service.app import App
from service.settings import Settings
from service.updates import Updates, deliver_due


def main() -> None:
    settings = Settings()
    app = App.open(settings)
    context = Updates.open(settings)
    while True:
        if not deliver_due(app, context, limit=1):
            time.sleep(0.02)


if __name__ == "__main__":
    main()
