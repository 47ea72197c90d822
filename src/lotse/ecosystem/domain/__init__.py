"""Every write in the directory that has side effects.

Functions are verb-first, typed, take keyword-only options and run atomically.
Views and commands call these; nothing else writes directory data.
"""
