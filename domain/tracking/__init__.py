"""Goals and their progress: SMART goals and their preferences, networking actions as facts, periods
in the person's zone, counting and judging progress per period."""
