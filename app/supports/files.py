"""Evidence files: what a file IS is read from its first bytes (magic numbers), never from
its name or the browser's content type. Files are stored under UPLOAD_DIR with random names;
the name the user gave is kept only as sanitised metadata and never touches the filesystem."""
import hashlib
import json
import os
import re
import secrets
import time
import unicodedata
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app, session
from flask_babel import lazy_gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from app.core.text import fold, format_number

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


def store(file_storage, folder: str | None = None) -> dict:
    """Check and store one uploaded file. Returns the Evidence columns it determined
    (stored_name, original_name, content_type, size, sha256). Refuses empty, oversize and
    disallowed content with a Vietnamese message; nothing is left on disk when refused.
    `folder`: where to write (default the upload folder; pending uploads use their own)."""
    folder = folder or upload_dir()
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
    path = os.path.join(folder, stored_name)
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
        _unlink(path)
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
    _unlink(os.path.join(current_app.config["UPLOAD_DIR"], stored_name))


def _unlink(path: str):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


# Pending uploads --------------------------------------------------------------------------
# A form refused for another reason (a missing amount) must not lose the files chosen with
# it: they are checked as any upload (store) and kept in UPLOAD_DIR/pending under a random
# token, with their metadata beside them (<token>.json). The token is remembered in the
# user's session: a form may name only tokens this session was given, so a token is never a
# path the client chose, nor another session's file. The resubmitted form attaches them as
# uploads (services.attach_evidence, which checks them again); they expire after PENDING_TTL
# and are swept whenever a file is held or pending files are attached (cleanup).

PENDING = "pending"               # the folder under UPLOAD_DIR
PENDING_TTL = timedelta(days=1)
PENDING_SESSION_KEY = "pending_evidence"
PENDING_PER_SESSION = 20          # the session remembers the latest tokens only
TOKEN = re.compile(r"[0-9a-f]{32}")


def pending_dir(create: bool = False) -> str:
    path = os.path.join(current_app.config["UPLOAD_DIR"], PENDING)
    if create:
        os.makedirs(path, mode=0o750, exist_ok=True)
    return path


def _issued() -> list[str]:
    return list(session.get(PENDING_SESSION_KEY) or [])


def size_label(size: int) -> str:
    """1234567 → "1,2 MB"; 2048 → "2 KB"."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{format_number(-(-size // 1024))} KB"
    return f"{size / (1024 * 1024):.1f}".replace(".", ",") + " MB"


def hold(file_storage) -> dict:
    """Check (exactly as store) and keep one upload as pending, bound to this session.
    Returns what the form shows: {token, name, size, size_label}. Raises FileRefused."""
    cleanup()
    stored = store(file_storage, pending_dir(create=True))
    token = stored["stored_name"]
    meta = {k: stored[k] for k in ("original_name", "content_type", "size", "sha256")}
    meta["user_id"] = getattr(current_user, "id", None)
    with open(os.path.join(pending_dir(), token + ".json"), "x", encoding="utf-8") as out:
        json.dump(meta, out)
    session[PENDING_SESSION_KEY] = (_issued() + [token])[-PENDING_PER_SESSION:]
    return _shown(token, meta)


def _shown(token: str, meta: dict) -> dict:
    return {"token": token, "name": meta["original_name"], "size": meta["size"],
            "size_label": size_label(meta["size"])}


def _meta(token: str) -> dict | None:
    """The metadata of a pending upload this session may use; None for anything else: not a
    token we issue, not issued to this session, another user's, missing or expired."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token) or token not in _issued():
        return None
    path = os.path.join(pending_dir(), token)
    try:
        if time.time() - os.path.getmtime(path) > PENDING_TTL.total_seconds():
            return None
        with open(path + ".json", encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != getattr(current_user, "id", None):
        return None
    return meta


def pending(tokens) -> tuple[list[dict], list[str]]:
    """(the files shown for the valid tokens, the refused tokens), duplicates ignored."""
    shown, refused = [], []
    for token in dict.fromkeys(tokens):
        meta = _meta(token)
        if meta is None:
            refused.append(token)
        else:
            shown.append(_shown(token, meta))
    return shown, refused


@contextmanager
def opened(token: str):
    """A pending upload as an uploaded file (werkzeug FileStorage), for attach_evidence."""
    meta = _meta(token)
    if meta is None:
        raise FileRefused(_("Tệp đính kèm không còn hợp lệ; vui lòng chọn lại tệp."))
    with open(os.path.join(pending_dir(), token), "rb") as stream:
        yield FileStorage(stream=stream, filename=meta["original_name"],
                          content_type=meta["content_type"])


def discard(tokens):
    """Remove pending uploads of this session (attached, or removed by the user)."""
    issued = _issued()
    for token in tokens:
        if isinstance(token, str) and TOKEN.fullmatch(token) and token in issued:
            _unlink(os.path.join(pending_dir(), token))
            _unlink(os.path.join(pending_dir(), token + ".json"))
    left = [t for t in issued if t not in set(tokens)]
    if left != issued:
        session[PENDING_SESSION_KEY] = left


def cleanup(max_age: timedelta = PENDING_TTL) -> int:
    """Remove every pending upload (of any session) older than `max_age`; the count removed."""
    folder, removed = pending_dir(), 0
    limit = time.time() - max_age.total_seconds()
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return 0
    for name in names:
        path = os.path.join(folder, name)
        try:
            if os.path.isfile(path) and os.path.getmtime(path) < limit:
                os.remove(path)
                removed += not name.endswith(".json")
        except FileNotFoundError:
            pass
    return removed
