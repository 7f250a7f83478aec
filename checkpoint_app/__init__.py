"""checkpoint: a health-code (JKM1) checkpoint scanner."""

__version__ = "0.1.0"
