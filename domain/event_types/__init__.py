"""Typed events: each type's payload (`payloads`), one constructor per fact (`facts`) and a
checked reader (`reading.parse_event`)."""
