"""Adding reports through the site (webui.admin), through Flask's test client: the pages exist only
with an admin token, the token is checked, every post needs the session's CSRF token, uploads are
inspected as `policy-search inspect` does, corrections are checked and used, refusals are Chinese,
an upload too large gets the site's Chinese 413, and an added report is found by the next search.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from search.engine import Engine
from search.whoosh_index.indexing import build
from webui import create_app

from .conftest import CORPUS, SEEDS
from .web_helpers import form_fields, parse_html

TOKEN = "s3cret-管理-token"
HENAN = CORPUS / "web-2026" / "2026年河南省政府工作报告.txt"
HENAN_PHRASE = "货邮吞吐量"


@pytest.fixture(scope="module")
def seeds_only(tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("admin-seeds")
    build(SEEDS, index_dir)
    return index_dir


@pytest.fixture
def index_dir(seeds_only, tmp_path) -> Path:
    """A copy of the seeds' index that a test may add to."""
    copy = tmp_path / "index"
    shutil.copytree(seeds_only, copy, symlinks=True)
    return copy


def make_app(index_dir: Path, tmp_path: Path, **config):
    return create_app({"INDEX_DIR": index_dir, "TESTING": True, "SECRET_KEY": "test",
                       "BRIEFINGS_DB": tmp_path / "b.sqlite3", "ADMIN_UPLOADS": tmp_path / "uploads", **config})


@pytest.fixture
def app(index_dir, tmp_path):
    return make_app(index_dir, tmp_path, ADMIN_TOKEN=TOKEN)


def csrf(client, path: str = "/admin") -> str:
    page = parse_html(client.get(path).data)
    return next(i.attrs["value"] for i in page.find_all("input") if i.attrs.get("name") == "csrf_token")


def signed_in(app):
    client = app.test_client()
    response = client.post("/admin/login", data={"token": TOKEN, "csrf_token": csrf(client)})
    assert response.status_code == 302
    return client


def upload(client, *files: tuple[str, bytes]):
    data = {"csrf_token": csrf(client), "files": [(io.BytesIO(body), name) for name, body in files]}
    return client.post("/admin/uploads", data=data, content_type="multipart/form-data")


def preview_form(client, url: str) -> dict:
    """What the preview's form sends as it stands (a checkbox only when ticked)."""
    form = parse_html(client.get(url).data).find("form", "admin-preview")
    fields = form_fields(form)
    for box in form.find_all("input"):
        if box.attrs.get("type") == "checkbox" and "checked" not in box.attrs:
            del fields[box.attrs["name"]]
    return fields


@pytest.mark.parametrize("method, path", [
    ("get", "/admin"), ("post", "/admin/login"), ("post", "/admin/uploads"), ("get", "/admin/uploads/AAAAAAAAAAAAAAAA"),
])
def test_without_a_token_the_pages_do_not_exist(index_dir, tmp_path, method, path):
    app = make_app(index_dir, tmp_path, ADMIN_TOKEN="")
    response = getattr(app.test_client(), method)(path, data={"token": ""})
    assert response.status_code == 404
    assert "没有这个页面" in response.get_data(as_text=True)


def test_no_page_links_to_the_admin_pages(app):
    home = app.test_client().get("/").get_data(as_text=True)
    assert "/admin" not in home


def test_a_wrong_token_is_refused_and_signs_nobody_in(app):
    client = app.test_client()
    page = client.get("/admin").get_data(as_text=True)
    assert "管理口令" in page and 'type="file"' not in page
    response = client.post("/admin/login", data={"token": TOKEN + "x", "csrf_token": csrf(client)})
    assert response.status_code == 403 and "口令不对" in response.get_data(as_text=True)
    refused = upload(client, ("a.txt", b"x"))
    assert refused.status_code == 403 and "请先登录" in refused.get_data(as_text=True)
    assert client.get("/admin/uploads/AAAAAAAAAAAAAAAA").status_code == 302  # back to the sign-in form


def test_signing_in_needs_the_forms_csrf_token(app):
    response = app.test_client().post("/admin/login", data={"token": TOKEN})
    assert response.status_code == 400 and "表单已失效" in response.get_data(as_text=True)


def test_the_right_token_opens_the_upload_form_until_signing_out(app):
    client = signed_in(app)
    assert 'type="file"' in client.get("/admin").get_data(as_text=True)
    client.post("/admin/logout", data={"csrf_token": csrf(client)})
    assert 'type="file"' not in client.get("/admin").get_data(as_text=True)


def test_a_changed_token_signs_every_browser_out(app):
    client = signed_in(app)
    app.config["ADMIN_TOKEN"] = "another"
    assert 'type="file"' not in client.get("/admin").get_data(as_text=True)


def test_upload_preview_correct_the_year_add_and_search(app, index_dir):
    client = signed_in(app)
    response = upload(client, (HENAN.name, HENAN.read_bytes()))
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    shown = client.get(preview_url)
    assert shown.headers["Cache-Control"] == "no-store"
    page = shown.get_data(as_text=True)
    # The same facts as `policy-search inspect`, with their evidence and the first passages.
    for expected in ("河南省", "省级", "政府工作报告", "2026", "依据", "2026年河南省政府工作报告", "前几段"):
        assert expected in page

    form = preview_form(client, preview_url)
    assert form["include-0"] == "1"
    form.update({"year-0": "2027", "action": "preview"})
    assert client.post(preview_url, data=form).status_code == 302
    corrected = client.get(preview_url).get_data(as_text=True)
    assert "维护者指定" in corrected and re.search(r'class="admin-year">2027', corrected)

    engine = Engine(index_dir)
    before = engine.search(HENAN_PHRASE)["total"]
    form = preview_form(client, preview_url)
    form["action"] = "add"
    added = client.post(preview_url, data=form)
    text = added.get_data(as_text=True)
    assert added.status_code == 200 and "已加入索引" in text and "河南省 2027 政府工作报告" in text
    # The site's own engine serves the new generation at once.
    result = client.get("/api/search", query_string={"q": HENAN_PHRASE, "place": "河南"}).get_json()
    assert result["total"] > before == 0 and result["hits"][0]["place"] == "河南省"
    report = client.get(f"/api/reports/{result['hits'][0]['report_id']}").get_json()["report"]
    assert report["year"] == 2027 and report["source"] == HENAN.name
    assert client.get(preview_url).status_code == 404  # the batch is gone once added


def test_a_file_that_is_no_report_is_refused_in_chinese(app, index_dir):
    client = signed_in(app)
    response = upload(client, ("notes.txt", "随便写几个字。".encode()), ("picture.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("不能收入索引") == 2 and "图片" in page
    form = preview_form(client, response.headers["Location"])
    assert "include-0" not in form and "include-1" not in form  # refused files start unticked
    form["action"] = "add"
    refused = client.post(response.headers["Location"], data=form)
    assert refused.status_code == 400 and "没有勾选要加入索引的文件" in refused.get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("place-0", "火星", "不认识地区“火星”"),
    ("year-0", "二〇二五", "年份须是"),
    ("year-0", "1200", "年份须是"),
    ("type-0", "工作总结", "报告类型只能是"),
])
def test_bad_corrections_are_refused_in_chinese(app, index_dir, field, value, message):
    client = signed_in(app)
    url = upload(client, (HENAN.name, HENAN.read_bytes())).headers["Location"]
    form = preview_form(client, url)
    form.update({field: value, "action": "add"})
    generation = Engine(index_dir).generation_name()
    response = client.post(url, data=form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert Engine(index_dir).generation_name() == generation  # nothing added


def test_a_place_the_file_does_not_name_can_be_given(app, index_dir):
    client = signed_in(app)
    text = "关于2025年工作的报告\n各位代表：\n一、2024年工作回顾\n全年新建学校3所，森林覆盖率达到55%。\n二、2025年主要任务\n新建道路12公里。\n"
    url = upload(client, ("报告.txt", text.encode())).headers["Location"]
    assert "没有可识别的地区" in client.get(url).get_data(as_text=True) or "看不出是哪个地区" in client.get(url).get_data(as_text=True)
    form = preview_form(client, url)
    form.update({"place-0": "涪陵", "type-0": "政府工作报告", "action": "preview"})
    client.post(url, data=form)
    page = client.get(url).get_data(as_text=True)
    assert "重庆市涪陵区" in page and "不能收入索引" not in page


def test_an_upload_over_the_cap_gets_a_chinese_413(index_dir, tmp_path):
    app = make_app(index_dir, tmp_path, ADMIN_TOKEN=TOKEN, ADMIN_UPLOAD_MAX=16 * 1024)
    client = signed_in(app)
    response = upload(client, (HENAN.name, HENAN.read_bytes()))
    text = response.get_data(as_text=True)
    assert response.status_code == 413 and "上传的文件太大" in text and "最多 16 KB" in text
    assert "Request Entity Too Large" not in text and not list((tmp_path / "uploads").glob("*/batch.json"))


def test_an_empty_upload_says_to_choose_files(app):
    client = signed_in(app)
    response = client.post("/admin/uploads", data={"csrf_token": csrf(client)}, content_type="multipart/form-data")
    assert response.status_code == 400 and "没有选择文件" in response.get_data(as_text=True)


def test_the_real_server_lets_the_app_refuse_a_large_upload_in_chinese(index_dir, tmp_path):
    # waitress reads a body whole and refuses one over its own limit with an English line: with the
    # admin pages on, it lets through up to twice their cap, for the app to refuse in Chinese.
    import threading

    import requests

    from webui.server import make_server

    config = {"SECRET_KEY": "test", "BRIEFINGS_DB": tmp_path / "b.sqlite3", "ADMIN_TOKEN": TOKEN,
              "ADMIN_UPLOAD_MAX": 100 * 1024, "ADMIN_UPLOADS": tmp_path / "uploads"}
    server = make_server(index_dir, port=0, threads=2, config=config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    site = f"http://127.0.0.1:{server.effective_port}"
    try:
        with requests.Session() as browser:
            token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(f"{site}/admin").text).group(1)
            browser.post(f"{site}/admin/login", data={"token": TOKEN, "csrf_token": token})
            response = browser.post(f"{site}/admin/uploads", data={"csrf_token": token},
                                    files={"files": ("big.txt", b"x" * (150 * 1024))})
        assert response.status_code == 413
        assert "上传的文件太大" in response.text and "最多 100 KB" in response.text
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.mark.parametrize("uploaded, kept", [
    ("2025年北京市政府工作报告.docx", "2025年北京市政府工作报告.docx"),
    ("C:\\Users\\me\\报告.pdf", "报告.pdf"),
    ("../../etc/passwd", "passwd"),
    (".hidden.txt", "hidden.txt"),
    ("a\x00b\nc.txt", "a_b_c.txt"),
    ("", "文件1"),
    ("长" * 200 + ".docx", "长" * 115 + ".docx"),
])
def test_uploaded_file_names_stay_one_safe_path_component(uploaded, kept):
    from webui.admin.staging import clean_name

    assert clean_name(uploaded, 0) == kept


def test_several_files_at_once_the_readable_one_is_added(app, index_dir):
    client = signed_in(app)
    url = upload(client, ("notes.txt", "随便写几个字。".encode()), (HENAN.name, HENAN.read_bytes())).headers["Location"]
    form = preview_form(client, url)
    assert "include-0" not in form and form["include-1"] == "1"
    form["action"] = "add"
    text = client.post(url, data=form).get_data(as_text=True)
    assert "加入 1 份报告" in text and "河南省 2026 政府工作报告" in text
    assert {r["place"] for r in Engine(index_dir).reports()} >= {"河南省", "重庆市云阳县"}


def test_uploads_are_read_in_the_bounded_reader_processes(app, monkeypatch):
    # A reader process may use read_memory_mb of address space: with too little, the upload is
    # refused the way a file that would exhaust memory is, and the site goes on.
    monkeypatch.setenv("POLICY_SEARCH_READ_MEMORY_MB", "40")
    client = signed_in(app)
    url = upload(client, (HENAN.name, HENAN.read_bytes())).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert re.search(r"不能收入索引：[^<]*内存[^<]*上限", page)
    assert client.get("/api/search", query_string={"q": "森林覆盖率"}).status_code == 200
