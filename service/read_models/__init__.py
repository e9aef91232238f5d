"""What people and operators read: the dashboard and its pages, progress (and its quick path), the
history, records by id, names resolved, an account's and the workers' status, how fresh a calendar
is."""
