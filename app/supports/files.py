"""Evidence files: what a file IS is read from its first bytes (magic numbers), never from
its name or the browser's content type. Files are stored under UPLOAD_DIR with random names;
the name the user gave is kept only as sanitised metadata and never touches the filesystem."""
import hashlib
import os
import re
import secrets
import unicodedata

from flask import current_app
from flask_babel import lazy_gettext as _

from app.core.text import fold

# content type → (extension used when serving, label)
KINDS = {"image/jpeg": ("jpg", "JPEG"), "image/png": ("png", "PNG"),
         "image/webp": ("webp", "WebP"), "application/pdf": ("pdf", "PDF")}
READ_CHUNK = 64 * 1024


class FileRefused(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes; None for anything not allowed."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def upload_dir() -> str:
    path = current_app.config["UPLOAD_DIR"]
    os.makedirs(path, mode=0o750, exist_ok=True)
    return path


def clean_name(name: str | None) -> str:
    """The user's file name as metadata: last path component only, no control characters,
    NFC, at most 255 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    return name[:255] or "tep-minh-chung"


def download_name(original: str, content_type: str, evidence_id: int) -> str:
    """A safe ASCII name for Content-Disposition: the folded stem of the original name and the
    extension of what the file really is ("hoa-don.exe" holding a PDF → "hoa-don.pdf")."""
    stem = os.path.splitext(original)[0]
    stem = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-")[:60]
    return f"{stem or 'minh-chung'}-{evidence_id}.{KINDS[content_type][0]}"


def store(file_storage) -> dict:
    """Check and store one uploaded file. Returns the Evidence columns it determined
    (stored_name, original_name, content_type, size, sha256). Refuses empty, oversize and
    disallowed content with a Vietnamese message; nothing is left on disk when refused."""
    limit = max_bytes()
    stream = file_storage.stream
    head = stream.read(READ_CHUNK)
    if not head:
        raise FileRefused(_("Tệp “%(name)s” rỗng.", name=clean_name(file_storage.filename)))
    content_type = sniff(head)
    if content_type is None:
        raise FileRefused(_("Tệp “%(name)s” không phải ảnh (JPEG, PNG, WebP) hoặc PDF.",
                            name=clean_name(file_storage.filename)))
    stored_name = secrets.token_hex(16)
    path = os.path.join(upload_dir(), stored_name)
    digest, size = hashlib.sha256(), 0
    try:
        with open(path, "xb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > limit:
                    raise FileRefused(_("Tệp “%(name)s” quá lớn (tối đa %(mb)s MB).",
                                        name=clean_name(file_storage.filename),
                                        mb=limit // (1024 * 1024)))
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(READ_CHUNK)
    except BaseException:
        remove(stored_name)
        raise
    return {"stored_name": stored_name, "original_name": clean_name(file_storage.filename),
            "content_type": content_type, "size": size, "sha256": digest.hexdigest()}


def path_of(stored_name: str) -> str | None:
    """The file of a stored name, or None. Stored names are hex we generated; anything else
    (a tampered row) is refused rather than joined into a path."""
    if not re.fullmatch(r"[0-9a-f]{32}", stored_name or ""):
        return None
    path = os.path.join(current_app.config["UPLOAD_DIR"], stored_name)
    return path if os.path.isfile(path) else None


def remove(stored_name: str):
    path = os.path.join(current_app.config["UPLOAD_DIR"], stored_name)
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
