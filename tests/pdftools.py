"""Read PDFs the way people and tools will: poppler's pdftotext, pdffonts, pdfinfo, pdftoppm."""

import re
import subprocess
import tempfile
import zlib
from pathlib import Path


def _poppler(tool, pdf, *args):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "doc.pdf")
        path.write_bytes(pdf)
        command = [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])]
        return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def pdftotext(pdf, *args):
    """The text of the PDF as pdftotext extracts it (reading order; "-layout": physical layout,
    which keeps a "-" that ends a line: in reading order poppler joins it as a hyphenated word)."""
    return _poppler("pdftotext", pdf, "-enc", "UTF-8", *args)


def squash(text):
    """Text with all whitespace removed: lines of Thai wrap between words without spaces."""
    return re.sub(r"\s+", "", text)


def one_line(text):
    """Whitespace runs as single spaces."""
    return " ".join(text.split())


def pdffonts(pdf):
    """One dict per font: name, type, emb, sub, uni."""
    lines = _poppler("pdffonts", pdf).splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name type [encoding words…] emb sub uni object ID: the yes/no columns are from the end
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts


def pdfinfo(pdf, *args):
    """pdfinfo's key: value lines as a dict (with -meta, the XMP packet under "xmp")."""
    out = _poppler("pdfinfo", pdf, *args)
    info = {}
    for line in out.splitlines():
        key, sep, value = line.partition(":")
        if sep and key and not key.startswith((" ", "<")) and key not in info:
            info[key.strip()] = value.strip()
    info["xmp"] = out
    return info


def page_size_points(pdf):
    """(width, height) of page 1 in points."""
    match = re.search(r"([\d.]+) x ([\d.]+) pts", pdfinfo(pdf)["Page size"])
    return float(match[1]), float(match[2])


def inflated(pdf):
    """The PDF's bytes with every Flate stream inflated, to look for objects and operators
    that live in compressed object and content streams."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        start = match.end()
        end = pdf.find(b"endstream", start)
        try:
            parts.append(zlib.decompress(pdf[start:end]))
        except zlib.error:
            continue
    return b"\n".join(parts)
