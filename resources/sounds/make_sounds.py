"""Regenerate the outcome sounds: short sine tones, one pattern per kind of outcome, so a
guard who looks away still hears what happened. Run: python resources/sounds/make_sounds.py"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050
SOUNDS = {
    "pass": [(880, 0.12), (1320, 0.18)],  # rising two-tone chime
    "attention": [(660, 0.15), (0, 0.05), (660, 0.15)],  # yellow: two equal beeps
    "alarm": [(440, 0.2), (0, 0.05), (440, 0.2), (0, 0.05), (440, 0.35)],  # red, fever: three low beeps
    "invalid": [(330, 0.4)],  # one long low buzz
    "cannot_verify": [(587, 0.15), (494, 0.15), (392, 0.25)],  # falling three notes
    "prompt": [(1047, 0.08)],  # a short tick: the temperature is asked for
}


def tone(parts: list[tuple[int, float]], path: Path) -> None:
    frames = bytearray()
    for freq, seconds in parts:
        n = int(RATE * seconds)
        for i in range(n):
            envelope = min(1.0, i / 200, (n - i) / 400)  # no clicks at the edges
            value = 0.0 if freq == 0 else 0.6 * envelope * math.sin(2 * math.pi * freq * i / RATE)
            frames += struct.pack("<h", int(value * 32767))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))


if __name__ == "__main__":
    for name, parts in SOUNDS.items():
        tone(parts, Path(__file__).with_name(f"{name}.wav"))
