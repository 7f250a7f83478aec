"""Qt glue for concurrency (QtCore only): the camera, decode and store threads."""
