"""Evidence files (photos, signed letters, minutes) attached to a progress report or an indicator
quarter: what is accepted, judged from the bytes and never from the name, and how a stored file
is sent back.

Accepted: PDF, JPEG, PNG, WebP, and Word / Excel documents (.docx, .xlsx). The first bytes are
identified by puremagic (a pure-Python signature table: no libmagic to install on every app
server); then each kind must pass a structural check of its own: a PDF starts with "%PDF-" and
ends with "%%EOF"; an image opens and verifies in Pillow as the format its signature says; an
Office document is a ZIP holding [Content_Types].xml that declares the main part of a Word
document or an Excel workbook (and no macros). Everything else (executables, HTML, SVG, scripts,
archives, a macro-enabled document) is refused whatever it is called.

The stored name never comes from the user (a random path under evidence/); the name the user
gave is kept only to be shown (escaped, as every value) and to name the download.
"""

import hashlib
import re
import secrets
import unicodedata
import urllib.parse
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PDF, JPEG, PNG, WEBP = "application/pdf", "image/jpeg", "image/png", "image/webp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# content type → (extension of the stored file, what people call it)
KINDS = {
    PDF: ("pdf", gettext_lazy("PDF")),
    JPEG: ("jpg", gettext_lazy("รูปภาพ JPEG")),
    PNG: ("png", gettext_lazy("รูปภาพ PNG")),
    WEBP: ("webp", gettext_lazy("รูปภาพ WebP")),
    DOCX: ("docx", gettext_lazy("เอกสาร Word")),
    XLSX: ("xlsx", gettext_lazy("เอกสาร Excel")),
}
CONTENT_TYPES = tuple(KINDS)

NAME_MAX = 200  # characters of the original name kept (the extension is kept when cut)
HEAD_BYTES = 8192  # what the signature check reads
_OFFICE_MAIN = {
    DOCX: ("/word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    XLSX: ("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}
_CONTENT_TYPES_MAX = 1_000_000  # [Content_Types].xml is a few KB; a huge one is not a document
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}


def max_bytes():
    return settings.EVIDENCE_MAX_MB * 1024 * 1024


@dataclass(frozen=True)
class Checked:
    """An upload that passed every check: what the evidence row stores about it."""

    content_type: str
    size: int
    sha256: str
    original_name: str

    @property
    def extension(self):
        return KINDS[self.content_type][0]


def refused(message):
    return ValidationError(message, code="evidence_refused")


def accepted_kinds_text():
    return _("รับเฉพาะไฟล์ PDF, รูปภาพ (JPEG, PNG, WebP), เอกสาร Word (.docx) และ Excel (.xlsx)")


def too_large(size):
    return refused(
        _("ไฟล์มีขนาด %(size)s MB เกินขนาดที่รับได้ %(max)s MB")
        % {"size": f"{size / 1024 / 1024:.1f}", "max": settings.EVIDENCE_MAX_MB}
    )


def request_too_large(request):
    """Whether a POST is larger than any accepted file could make it (a form's few fields and
    the multipart framing leave 64 KB): refused before its body is read and spooled to disk."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > max_bytes() + 65536


def check_upload(upload):
    """The Checked facts of an uploaded file (a Django UploadedFile or any File), or
    ValidationError with the reason in the user's language. Reads the file; stores nothing."""
    size = upload.size or 0
    if size == 0:
        raise refused(_("ไฟล์ว่างเปล่า (0 ไบต์) กรุณาเลือกไฟล์ที่มีข้อมูล"))
    if size > max_bytes():
        raise too_large(size)
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    content_type = _identify(head)
    if content_type == "zip":
        content_type = office_kind(upload)
    if content_type is None or not _structure_ok(content_type, upload, size):
        # (the upload form lists the accepted kinds under the field: accepted_kinds_text)
        raise refused(_("ชนิดของไฟล์ไม่อยู่ในรายการที่รับได้ (ตรวจจากเนื้อไฟล์ ไม่ใช่จากชื่อไฟล์)"))
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return Checked(content_type, size, digest.hexdigest(), clean_name(getattr(upload, "name", "") or ""))


def _identify(head):
    """The accepted content type the file's signature names (puremagic's guesses, best first),
    or None. A guess whose bytes do not start the file (an offset signature) does not count."""
    try:
        guesses = puremagic.magic_string(head)
    except (ValueError, puremagic.PureError):
        return None
    for guess in guesses:
        mime = guess.mime_type
        if guess.offset != 0 and mime not in (WEBP,):
            continue
        if mime in (PDF, JPEG, PNG, WEBP):
            return mime
        if mime in (DOCX, XLSX, "application/zip") or guess.byte_match.startswith(b"PK\x03\x04"):
            return "zip"
    return None


def _structure_ok(content_type, upload, size):
    if content_type == PDF:
        upload.seek(max(0, size - 1024))
        return b"%%EOF" in upload.read(1024)
    if content_type in _PILLOW_FORMATS:
        return _image_ok(content_type, upload)
    return content_type in _OFFICE_MAIN  # office_kind() has read the whole ZIP already


def _image_ok(content_type, upload):
    from PIL import Image, UnidentifiedImageError

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format != _PILLOW_FORMATS[content_type]:
                return False
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    return True


def office_kind(upload):
    """DOCX or XLSX for a ZIP whose [Content_Types].xml declares that document's main part and
    no macros; None for any other ZIP (or a broken one)."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return None
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                return None
            data = archive.read(info)
            if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # no document declares either
                return None
            root = ElementTree.fromstring(data)  # noqa: S314 (small, and no DTD or entities: see above)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ValueError, NotImplementedError):
        return None
    overrides = {
        element.get("PartName"): element.get("ContentType") for element in root if element.tag.endswith("Override")
    }
    for kind, (part, main_type) in _OFFICE_MAIN.items():
        if overrides.get(part) == main_type and part.lstrip("/") in names:
            return kind
    return None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_name(name):
    """The name a user's file is shown and downloaded under: its last path part, NFC, without
    control or format characters, at most NAME_MAX characters (the extension kept), never empty."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in _CONTROL.sub("", name) if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn"))
    name = " ".join(name.split()).strip(" .")
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        keep_extension = dot and 0 < len(ext) <= 10
        name = stem[: NAME_MAX - len(ext) - 1].rstrip() + "." + ext if keep_extension else name[:NAME_MAX]
    return name or _("ไฟล์หลักฐาน")


def new_storage_name(checked):
    """A random path for a new file: nothing of it comes from the user."""
    return f"evidence/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}.{checked.extension}"


_EXTENSIONS = {JPEG: (".jpg", ".jpeg", ".jfif")}


def download_name(evidence):
    """The original name, with the extension of what the file is when the name says otherwise
    ("scan.exe" holding a PDF downloads as "scan.exe.pdf": the computer opens it as a PDF)."""
    name = evidence.original_name
    if not name.lower().endswith(_EXTENSIONS.get(evidence.content_type, (f".{evidence.extension}",))):
        name = f"{name}.{evidence.extension}"
    return name


def download_response(evidence):
    """The stored file as an attachment under its original name (RFC 5987 for Thai), never
    sniffed, never kept by a shared cache."""
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    name = download_name(evidence)
    # For the few clients without RFC 5987: the name's ASCII letters, or evidence-<id> (a Thai name).
    ascii_stem = re.sub(r"[^A-Za-z0-9._ -]", "", name.rpartition(".")[0]).strip(" .")
    ascii_name = f"{ascii_stem or f'evidence-{evidence.pk}'}.{evidence.extension}"
    quoted = urllib.parse.quote(name, safe="")
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"
    response["Content-Length"] = str(evidence.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
