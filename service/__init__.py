"""The use cases, one function each (set a goal, log an action, sync a calendar, ...), and the
settings. The only layer that knows both `domain` and `integrations`; a subject with many modules
is a subpackage (`service.google`)."""
