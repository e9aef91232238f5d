"""Running the service: `netgoals serve` and its children, the workers' queue and tasks, /metrics,
export, import and rebuild, the settings file."""
