"""Reading a report file's bytes: only a regular file, only inside its folder, only the size checked.

A path in a folder of reports can be something other than a file: a named pipe (reading it waits
for a writer forever), a device (/dev/zero never ends), a symbolic link to anywhere on the machine,
or a file another program is still writing. The file is opened without blocking, checked on the
open descriptor (so what is checked is what is read), and read up to the size it had then.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import ReportError
from .limits import MB, limit

# Opening a named pipe for reading waits for a writer unless non-blocking; a regular file ignores the flag.
OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
KINDS = [
    (stat.S_ISDIR, "一个文件夹"), (stat.S_ISFIFO, "一个命名管道（FIFO）"), (stat.S_ISCHR, "一个字符设备"),
    (stat.S_ISBLK, "一个块设备"), (stat.S_ISSOCK, "一个套接字"),
]
CHUNK = 1024 * 1024


def read_file(path: Path, root: Path | None = None) -> bytes:
    """The bytes of a regular file no bigger than ``max_report_bytes``; with ``root``, a file whose
    real path (links resolved) lies inside that folder. Anything else is refused with a ReportError."""
    path = Path(path)
    name = path.name
    try:
        if root is not None and not _inside(path, Path(root)):
            raise ReportError(
                f"{name}：这是一个指向报告文件夹之外的链接（{os.path.realpath(path)}），出于安全考虑不读取；"
                "请把报告文件本身复制到文件夹里。")
        fd = os.open(path, OPEN_FLAGS)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                what = next((kind for test, kind in KINDS if test(info.st_mode)), "一个特殊文件")
                raise ReportError(f"{name}：这是{what}，不是普通文件，不能作为报告读取。")
            size, cap = info.st_size, limit("max_report_bytes")
            if size > cap:
                raise ReportError(
                    f"{name}：文件有 {size / MB:.1f} MB，超过了报告文件 {cap / MB:.0f} MB 的上限（设置 max_report_bytes）；"
                    "请拆分后再添加，或调高 POLICY_SEARCH_MAX_REPORT_BYTES。")
            return _read_at_most(fd, size)
        finally:
            os.close(fd)
    except OSError as err:
        raise ReportError(f"{name}：无法读取这个文件（{err.strerror or err}）；请检查文件是否存在、是否有读取权限。") from None


def _inside(path: Path, root: Path) -> bool:
    real, folder = os.path.realpath(path), os.path.realpath(root)
    if os.path.isfile(folder):  # a single file was named: its own folder is the bound
        folder = os.path.dirname(folder)
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def _read_at_most(fd: int, size: int) -> bytes:
    """Up to ``size`` bytes: a file that grows while it is read is read as it was when checked."""
    parts, left = [], size
    while left > 0:
        chunk = os.read(fd, min(left, CHUNK))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)
