"""What a PDF says and shows, with Debian poppler-utils: its text (pdftotext), its pages as
images (pdftoppm) and its fonts (pdffonts)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from tests.support.programs import needs_programs


def pdf_text(pdf: bytes, mode: str = "-layout", page: int | None = None) -> str:
    """`mode`: "-layout" keeps the columns of a table in place, "-raw" keeps the content-stream order."""
    needs_programs("pdftotext")
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", mode, *pages, "-", "-"], input=pdf, capture_output=True, check=True,
                          timeout=60).stdout.decode()


def pdf_pages(pdf: bytes, dpi: int = 80) -> list[Image.Image]:
    """Every page as an RGB image, as it prints (`pdftoppm -png -r DPI`)."""
    needs_programs("pdftoppm")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-", f"{tmp}/page"], input=pdf, capture_output=True,
                       check=True, timeout=120)
        pages = []
        for path in sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
            with Image.open(path) as img:
                pages.append(img.convert("RGB"))
        return pages


def pdf_fonts(pdf: bytes) -> list[dict[str, str]]:
    """The fonts of the PDF as pdffonts lists them: name, type and whether it is embedded."""
    needs_programs("pdffonts")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:  # pdffonts reads no standard input
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdffonts", f.name], capture_output=True, check=True, timeout=60).stdout.decode()
    rows = []
    for line in out.splitlines()[2:]:
        cols = line.split()
        rows.append({"name": cols[0], "emb": cols[-5]})
    return rows
