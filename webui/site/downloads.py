"""Downloads as responses: a CSV streamed as it is written, a spreadsheet written to a temporary file
and sent from it, each named for what it holds (``search.downloads.filename``).

The file name goes in Content-Disposition twice: as ``filename*`` in UTF-8 (RFC 5987), which every
current browser reads, so a Chinese query keeps its characters, and as a plain ASCII ``filename``
for any client that does not.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import quote

from flask import Response, stream_with_context

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SEND_CHUNK = 256 * 1024


def content_disposition(name: str) -> str:
    """``attachment`` with ``name`` as UTF-8 (RFC 5987) and an ASCII stand-in."""
    stem, dot, ext = name.rpartition(".")
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("_") or "download"
    return f"attachment; filename=\"{ascii_stem}{dot}{ext}\"; filename*=UTF-8''{quote(name, safe='')}"


def csv_download(chunks: Iterable[str], name: str) -> Response:
    """A CSV sent as its chunks are written (UTF-8; the chunks carry their own BOM)."""
    body = (chunk.encode("utf-8") for chunk in chunks)
    return Response(stream_with_context(body), mimetype="text/csv",
                    headers={"Content-Disposition": content_disposition(name)})


def xlsx_download(write: Callable[[str], object], name: str) -> Response:
    """A workbook that ``write(path)`` writes to a temporary file, sent from that file a piece at a
    time and removed when the response is closed (sent, or abandoned)."""
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        write(path)
    except BaseException:
        os.unlink(path)
        raise

    def remove() -> None:
        if os.path.exists(path):
            os.unlink(path)

    def pieces() -> Iterator[bytes]:
        try:
            with open(path, "rb") as f:
                while piece := f.read(_SEND_CHUNK):
                    yield piece
        finally:
            remove()

    response = Response(pieces(), mimetype=XLSX_TYPE,
                        headers={"Content-Disposition": content_disposition(name),
                                 "Content-Length": str(os.path.getsize(path))})
    # Removed once read to the end, or when the server closes a response the client left unread.
    response.call_on_close(remove)
    return response
