"""The entrance hardware's failures that are the environment's, not bugs (STYLE rule 7).

None of them is a ValueError: a ValueError (or any other exception) out of a driver is a
bug and must reach the crash handler, not be taken for a device problem and logged away."""

from __future__ import annotations


class DeviceError(Exception):
    """A device failed or sent what it must not; the message says why in one line."""


class DeviceSettingError(DeviceError):
    """A device setting that cannot work (an unknown kind, command bytes that do not parse,
    a URL that is not HTTP): the checkpoint runs without that device."""
