"""Progress updates: the use cases the CLI, the API and the workers call — choose a channel, decide
what is worth telling (once per change), deliver it by email or signed webhook, send a test, list
what was sent. Each lives in its own module; this one only names them."""

from service.updates.confirm_email import address_of_confirmation, confirm_address, confirmation_link
from service.updates.context import Updates
from service.updates.decide import decide
from service.updates.deliver import deliver_due, send_test
from service.updates.history import UpdatesStatus, sent, status
from service.updates.preferences import (
    ChannelChange,
    preferences,
    set_channel,
    unsubscribe,
    unsubscribe_link,
    user_of_unsubscribe,
)
from service.updates.queued_test import QueuedTest, TooManyTestsError, queue_test

__all__ = [
    "ChannelChange",
    "QueuedTest",
    "TooManyTestsError",
    "Updates",
    "UpdatesStatus",
    "address_of_confirmation",
    "confirm_address",
    "confirmation_link",
    "decide",
    "deliver_due",
    "preferences",
    "queue_test",
    "send_test",
    "sent",
    "set_channel",
    "status",
    "unsubscribe",
    "unsubscribe_link",
    "user_of_unsubscribe",
]
