"""What a PDF says, as text (Debian poppler-utils' pdftotext)."""

from __future__ import annotations

import subprocess

from tests.support.programs import needs_programs


def pdf_text(pdf: bytes, mode: str = "-layout") -> str:
    """`mode`: "-layout" keeps the columns of a table in place, "-raw" keeps the content-stream order."""
    needs_programs("pdftotext")
    return subprocess.run(["pdftotext", mode, "-", "-"], input=pdf, capture_output=True, check=True,
                          timeout=60).stdout.decode()
