"""`checkpoint-app decode` end to end: real images and a real MJPG video, JSON lines out."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.scan.generate import PAYLOADS
from bench.scan.scene import phone_frame
from checkpoint_app.cli import main


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]]]:
    code = main(["decode", "--json", *args])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines()]


def test_one_json_line_per_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    two = tmp_path / "two phones.png"
    cv2.imwrite(str(two), phone_frame([PAYLOADS[0], "https://example.org"], m=3.0))
    none = tmp_path / "empty.jpg"
    cv2.imwrite(str(none), np.full((480, 640, 3), 128, np.uint8))
    code, lines = run_json(capsys, str(two), str(none))
    assert code == 0
    assert [line["file"] for line in lines] == [str(two), str(none)]
    assert set(lines[0]["codes"]) == {PAYLOADS[0], "https://example.org"}  # type: ignore[arg-type]
    assert lines[1]["codes"] == []
    assert all(isinstance(line["ms"], float) and 0 < line["ms"] < 1000 for line in lines)  # type: ignore[operator]
    assert set(lines[0]) == {"file", "codes", "ms"}


def test_video_one_line_per_frame_with_a_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "camera.avi"
    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10.0, (640, 480))
    blank = np.full((480, 640, 3), 90, np.uint8)
    with_code = phone_frame([PAYLOADS[4]], m=3.0, size=(640, 480))
    for frame in [blank, blank, with_code, with_code, with_code, blank]:
        out.write(frame)
    out.release()
    code, lines = run_json(capsys, str(path))
    assert code == 0
    assert [(line["frame"], line["t"]) for line in lines] == [(2, 0.2), (3, 0.3), (4, 0.4)]
    assert all(line["codes"] == [PAYLOADS[4]] and line["file"] == str(path) for line in lines)


def test_unreadable_files_are_reported_and_the_rest_still_decoded(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), phone_frame([PAYLOADS[2]], size=(640, 480), m=3.0))
    (tmp_path / "bad.png").write_bytes(b"not a png")
    code = main(["decode", "--json", str(tmp_path / "missing.mp4"), str(tmp_path / "bad.png"), str(good)])
    captured = capsys.readouterr()
    assert code == 1
    assert [json.loads(x)["codes"] for x in captured.out.splitlines()] == [[PAYLOADS[2]]]
    assert "missing.mp4" in captured.err and "bad.png" in captured.err


def test_plain_output_says_when_a_code_is_not_a_health_code(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "url.png"
    cv2.imwrite(str(path), phone_frame(["https://example.org/menu"], size=(640, 480), m=3.0))
    assert main(["decode", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: not a health code: https://example.org/menu\n"
