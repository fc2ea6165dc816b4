"""The maintainer's pages: sign in, upload report files, see what would be indexed, correct it, add.

- ``/admin``: the sign-in form, or, signed in, the upload form.
- ``/admin/login``, ``/admin/logout``: form posts; a wrong token is refused (403) and costs more of
  the rate limit than an ordinary request, so guessing is slow.
- ``/admin/uploads`` (post): the files are kept in a batch (``staging``) and each is inspected in the
  bounded reader processes, as ``policy-search inspect`` does; then the batch's preview.
- ``/admin/uploads/<batch>``: the preview (place, level, type, year, title with their evidence,
  warnings, first passages; or why a file is refused) with a form per file to correct place, year
  and type. Posting it either inspects again with the corrections, or adds the ticked files to the
  index (``search.adding``: a new generation, served only once complete, which every worker of the
  site then opens on its next request).

Every post carries the session's CSRF token; every page but the sign-in form needs a signed-in
session. The upload's size cap (``ADMIN_UPLOAD_MAX``) replaces the site's 64 KiB one on the upload
alone; a bigger upload gets the site's Chinese 413 page, refused before it is read.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import Forbidden, RequestEntityTooLarge

from search import settings
from search.adding import add_files, inspect_files, overrides_for
from search.documents import TYPES
from search.errors import BadParameter, UserError

from ..site.errors import add_help
from ..site.limits import costs
from ..site.searcher import get_engine
from ..site.sessions import check_csrf, notify
from . import auth, staging

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
# Sign-in attempts cost this many ordinary requests of the rate limit.
SIGN_IN_COST = 10
# Files inspected at once for one upload: the site keeps serving searches meanwhile.
INSPECT_PROCESSES = 2
OPEN_ENDPOINTS = ("admin.home", "admin.login")


class UploadTooLarge(RequestEntityTooLarge):
    explanation = ("上传的文件太大", "请分几次上传，或先压缩 PDF 里的图片；单个报告文件另有上限（设置 max_report_bytes）。")


class NotSignedIn(Forbidden):
    description = "这个页面只对已登录的维护者开放"
    explanation = ("请先登录", "添加报告需要管理口令：请回到 /admin 用口令登录，然后再试一次。")


def _admin_explanations() -> dict[type, tuple[str, str]]:
    return {BadParameter: ("无法处理这次提交", "请按提示改正后再提交。")}


def _admin_links(error: UserError) -> list[tuple[str, str]]:
    return [("回到添加报告", url_for("admin.home"))]


add_help(bp, explanations=_admin_explanations, repairs=_admin_links)


@bp.before_request
def guard():
    if request.endpoint not in OPEN_ENDPOINTS and not auth.signed_in():
        # Before the body is read: a stranger's upload is refused unread.
        if request.method == "POST":
            raise NotSignedIn()
        return redirect(url_for("admin.home"))
    if request.endpoint == "admin.upload":
        request.max_content_length = current_app.config["ADMIN_UPLOAD_MAX"]
    if request.method == "POST":
        try:
            check_csrf(request.form)
        except RequestEntityTooLarge:
            raise UploadTooLarge(f"这次上传有 {_size(request.content_length)}，最多 "
                                 f"{_size(current_app.config['ADMIN_UPLOAD_MAX'])}（设置 max_upload_mb）") from None
    return None


@bp.after_request
def keep_out_of_caches(response):
    # The pages show uploaded, not yet published reports and carry the form token: no copy kept.
    response.headers["Cache-Control"] = "no-store"
    return response


def _size(size: int | None) -> str:
    if (size or 0) < 2**20:
        return f"{-(-(size or 0) // 1024)} KB"
    return f"{size / 2**20:.1f}".rstrip("0").rstrip(".") + " MB"


@bp.get("")
def home():
    if not auth.signed_in():
        return render_template("admin/login.html")
    try:
        reports = len(get_engine().reports())
    except UserError:  # no index yet: the first add makes one
        reports = 0
    return render_template("admin/upload.html", reports=reports,
                           max_size=_size(current_app.config["ADMIN_UPLOAD_MAX"]), max_files=staging.MAX_FILES)


@bp.post("/login")
@costs(SIGN_IN_COST)
def login():
    if not auth.token_matches(request.form.get("token", "")):
        return render_template("admin/login.html", refused="口令不对：请检查后重新输入（区分大小写）。"), 403
    auth.sign_in()
    return redirect(url_for("admin.home"))


@bp.post("/logout")
def logout():
    auth.sign_out()
    notify("已退出管理。")
    return redirect(url_for("pages.home"))


@bp.post("/uploads")
def upload():
    batch = staging.create(request.files.getlist("files"))
    batch.inspections = _inspect(batch, {})
    batch.save()
    return redirect(url_for("admin.preview", batch_id=batch.id))


@bp.get("/uploads/<batch_id>")
def preview(batch_id: str):
    return _preview_page(staging.load(batch_id), {})


@bp.post("/uploads/<batch_id>")
def decide(batch_id: str):
    """Inspect again with the corrections typed, or add the ticked files with them."""
    batch = staging.load(batch_id)
    batch.corrections = [{key: request.form.get(f"{key}-{n}", "").strip()[:40] for key in ("place", "year", "type")}
                         for n in range(len(batch.names))]
    chosen = [n for n in range(len(batch.names)) if request.form.get(f"include-{n}")]
    overrides, errors = {}, {}
    for n, (path, said) in enumerate(zip(batch.paths(), batch.corrections)):
        try:
            overrides[str(path)] = overrides_for(said["place"], said["year"], said["type"], said="维护者指定")
        except BadParameter as exc:
            errors[n] = str(exc)
    if request.form.get("action") == "add" and not chosen and not errors:
        errors[-1] = "没有勾选要加入索引的文件。"
    if errors:
        batch.save()
        return _preview_page(batch, errors, chosen), 400
    if request.form.get("action") != "add":
        batch.inspections = _inspect(batch, overrides)
        batch.save()
        notify("已按改正重新识别。")
        return redirect(url_for("admin.preview", batch_id=batch.id))
    paths = [batch.paths()[n] for n in chosen]
    summary = add_files(paths, current_app.config["INDEX_DIR"], {str(p): overrides[str(p)] for p in paths},
                        roots=batch.roots())
    batch.remove()
    # The embedded index is what an add changes; a site searching a cluster shows it after a push.
    return render_template("admin/added.html", summary=summary, needs_push=settings.get("backend") != "whoosh")


def _inspect(batch: staging.Batch, overrides: dict) -> list[dict]:
    return inspect_files(batch.paths(), overrides, roots=batch.roots(),
                         processes=min(INSPECT_PROCESSES, len(batch.names)))


# The readers' refusals name the CLI's options; on the site, the form's fields say the same.
_CLI_ADVICE_RE = re.compile(r"请用 --(place|year|type) 指定")
_FIELD_NAMES = {"place": "地区", "year": "年份", "type": "类型"}


def site_wording(refusal: str) -> str:
    return _CLI_ADVICE_RE.sub(lambda m: f"请在下面的改正栏里填写{_FIELD_NAMES[m.group(1)]}", refusal)


def _preview_page(batch: staging.Batch, errors: dict, chosen: list[int] | None = None):
    files = []
    for n, (name, info, said) in enumerate(zip(batch.names, batch.inspections, batch.corrections)):
        readable = "refused" not in info
        if not readable:
            info = {**info, "refused": site_wording(info["refused"])}
        files.append({"n": n, "name": name, "info": info, "said": said, "error": errors.get(n),
                      "include": (n in chosen) if chosen is not None else readable, "readable": readable})
    return render_template("admin/preview.html", batch=batch, files=files, types=TYPES, problem=errors.get(-1))
