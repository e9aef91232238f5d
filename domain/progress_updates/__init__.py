"""Progress updates: which changes are worth telling, the weekly digest, the daily message's time,
and when a person next needs a decision with nothing changing."""
