"""Devices at the edge of the program: frame sources (OpenCV), serial scanners, thermometer, gate relay.

Nothing here imports Qt: the workers wrap these objects for the window."""
