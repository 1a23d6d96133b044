"""Photos: checked like any field, stripped of metadata, turned upright and made responsive."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from casebook.records.images import renditions

from .conftest import casebook, line_of, mkdocs_build

CASE = "hongshan-jiexiao-qianshou"


def jpeg_with_gps_and_rotation(width: int = 2000, height: int = 1500) -> bytes:
    im = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera was turned: show it rotated 90°
    exif[ExifTags.Base.Make] = "TestPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (30.0, 35.0, 0.0)
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def add_photo(project: Path, name: str, data: bytes | None, *, alt: bool = True) -> Path:
    folder = project / "cases" / CASE
    folder.mkdir(exist_ok=True)
    if data is not None:
        (folder / name).write_bytes(data)
    record = project / "cases" / f"{CASE}.yml"
    text = record.read_text(encoding="utf-8")
    entry = f"  - caption: 测试照片\n    credit: changjiang-wang\n    file: {name}\n" + (
        "    alt: 一张红色的测试图片\n" if alt else ""
    )
    record.write_text(text.replace("media:\n", "media:\n" + entry, 1), encoding="utf-8")
    return record


def errors_for(project: Path) -> list[dict]:
    run = casebook("validate", "--format", "json", cwd=project)
    assert "Traceback" not in run.text
    return [d for d in json.loads(run.out)["diagnostics"] if d["field"].startswith("media[0]")]


def test_photo_is_upright_clean_and_responsive(project: Path, tmp_path: Path) -> None:
    add_photo(project, "qianshou.jpg", jpeg_with_gps_and_rotation())
    run = mkdocs_build(project, tmp_path / "site")
    assert run.code == 0, run.text
    folder = tmp_path / "site" / "cases" / CASE
    for width in (480, 960, 1500):
        for ext in ("webp", "jpg"):
            with Image.open(folder / f"qianshou-{width}.{ext}") as im:
                assert im.width == width and im.height > im.width, "the EXIF rotation was not applied"
                assert not im.getexif(), "metadata survived"
                assert "exif" not in im.info and "xmp" not in im.info
    assert not (folder / "qianshou-1600.jpg").exists(), "a photo must never be enlarged"
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert 'srcset="qianshou-480.webp 480w, qianshou-960.webp 960w, qianshou-1500.webp 1500w"' in html
    assert 'width="960" height="1280"' in html and 'loading="lazy"' in html and 'alt="一张红色的测试图片"' in html
    assert "<figcaption>测试照片（图片来源：长江网）</figcaption>" in html
    assert not (folder / "qianshou.jpg").exists(), "the original, with its GPS position, must not be published"


def test_renditions_are_cached_by_content(tmp_path: Path) -> None:
    photo = tmp_path / "a.png"
    Image.new("RGB", (600, 400), "white").save(photo)
    first = renditions(photo, tmp_path / "cache")
    (next((tmp_path / "cache").glob("*-480.webp"))).write_bytes(b"cached")
    again = renditions(photo, tmp_path / "cache")
    assert [r.width for r in first] == [480, 600] and again[0].webp == b"cached"


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("notes.jpg", "这不是图片".encode(), "不是能识别的图片"),
        ("anim.jpg", None, "GIF"),
        ("broken.jpg", None, "损坏"),
        ("huge.png", None, "像素太多"),
        ("missing.jpg", None, "找不到图片文件"),
    ],
)
def test_bad_photo_gets_a_located_error(project: Path, name: str, data: bytes | None, words: str) -> None:
    folder = project / "cases" / CASE
    folder.mkdir(exist_ok=True)
    if name == "anim.jpg":
        Image.new("P", (10, 10)).save(folder / name, "GIF")  # a GIF wearing a .jpg name
    elif name == "broken.jpg":
        (folder / name).write_bytes(jpeg_with_gps_and_rotation(200, 100)[:400])
    elif name == "huge.png":
        Image.new("1", (8000, 6000)).save(folder / name)  # 48 megapixels in a few kilobytes
    record = add_photo(project, name, data)
    found = errors_for(project)
    assert len(found) == 1, found
    assert words in found[0]["message"] and f"cases/{CASE}/{name}" in found[0]["message"]
    assert found[0]["line"] == line_of(record, f"file: {name}")


def test_the_core_leaves_pillows_own_limit_alone() -> None:
    """Importing the core changes nothing process-wide: its 40-megapixel limit is its own check."""
    import subprocess
    import sys

    code = (
        "from PIL import Image; default = Image.MAX_IMAGE_PIXELS; "
        "import casebook.records.images, casebook.site.pages; print(Image.MAX_IMAGE_PIXELS == default)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "True", run.stderr


def test_symlink_out_of_the_folder_is_refused(project: Path) -> None:
    folder = project / "cases" / CASE
    folder.mkdir(exist_ok=True)
    os.symlink("/etc/hostname", folder / "escape.jpg")
    add_photo(project, "escape.jpg", None)
    found = errors_for(project)
    assert len(found) == 1 and "符号链接" in found[0]["message"]


def test_path_that_leaves_the_folder_is_refused(project: Path) -> None:
    add_photo(project, "../../etc/passwd", None)
    found = errors_for(project)
    assert found and found[0]["field"] == "media[0].file" and "格式不对" in found[0]["message"]


def test_photo_needs_alt_text(project: Path) -> None:
    add_photo(project, "qianshou.jpg", jpeg_with_gps_and_rotation(), alt=False)
    found = errors_for(project)
    assert [d["field"] for d in found] == ["media[0].alt"] and "必填" in found[0]["message"]


def test_renditions_committed_to_the_repository_are_not_published(project: Path, tmp_path: Path) -> None:
    """A pull request can commit files under .cache/: an index and renditions under a photo's
    digest (one a symlink to a file of the build machine) must not reach the site in place of
    the photo's own clean renditions."""
    import hashlib

    data = jpeg_with_gps_and_rotation()
    add_photo(project, "qianshou.jpg", data)
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_bytes(b"machine secret 4f8d9b2")
    planted = project / ".cache" / "images"
    planted.mkdir(parents=True)
    key = hashlib.sha256(data).hexdigest()[:24]
    (planted / f"{key}.txt").write_text("480x360", encoding="utf-8")
    (planted / f"{key}-480.webp").symlink_to(secret)
    (planted / f"{key}-480.jpg").write_bytes(data)  # the original, GPS position and all
    home = tmp_path / "home"  # a user cache of its own, empty
    run = mkdocs_build(project, tmp_path / "site", HOME=str(home))
    assert run.code == 0, run.text
    folder = tmp_path / "site" / "cases" / CASE
    for width in (480, 960, 1500):
        for ext in ("webp", "jpg"):
            with Image.open(folder / f"qianshou-{width}.{ext}") as im:
                assert im.width == width and im.height > im.width and not im.getexif()
    leaked = [p for p in (tmp_path / "site").rglob("*") if p.is_file() and b"machine secret" in p.read_bytes()]
    assert not leaked
