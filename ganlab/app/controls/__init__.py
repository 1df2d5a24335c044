"""Widgets that edit the run configuration (control → config; never the other way round)."""
