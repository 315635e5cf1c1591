"""safe_next(): the one rule for redirect targets that come from the request (`next`)."""
import re
import string
from urllib.parse import quote, unquote

from flask import url_for

MAX_LENGTH = 2000
# Browsers drop tabs and newlines anywhere in a URL and read "\" as "/": "/\t/evil" and
# "/\evil" both mean //evil, another site. Other control characters break the header.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")
# Printable ASCII stays as typed (percent escapes included); anything else — a space, letters
# outside ASCII — is percent-encoded, so the Location header is plain ASCII.
_KEEP = "".join(c for c in string.printable if c not in string.whitespace)


def safe_next(target: str | None, default: str | None = None) -> str:
    """`target` if it is a path on this site, else `default` (the home page): it starts with
    "/", and its path, as typed and percent-decoded, holds no "//", backslash or control
    character — so it has neither scheme nor host, and no later decoding gives it one."""
    default = default or url_for("main.home")
    if not target or len(target) > MAX_LENGTH or not target.startswith("/"):
        return default
    path = unquote(re.split("[?#]", target, maxsplit=1)[0])
    if _UNSAFE.search(target) or _UNSAFE.search(path) or "//" in path:
        return default
    return quote(target, safe=_KEEP)
