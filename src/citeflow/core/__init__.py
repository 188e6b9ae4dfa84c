"""The bottom layer: settings, errors, ids and time, shared by every other package."""
