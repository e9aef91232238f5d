"""The netgoals domain: plain Python, no I/O.

Everything here is a pure function of its arguments; "now" is always passed in.
"""
