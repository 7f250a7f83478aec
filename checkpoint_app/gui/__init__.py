"""Widgets only: they render the state they are given and forward the guard's intents as signals."""
