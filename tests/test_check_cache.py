"""The per-record check cache: a cached answer is the answer the check would give, or none."""

from __future__ import annotations

import json
from pathlib import Path

from bench.generate import dump, generate

from casebook.records.check_cache import CheckCache, PreviewChecks
from casebook.records.loader import PARALLEL_FROM, Project, load


def _load(project: Path, cache: CheckCache):  # type: ignore[no-untyped-def]
    return load(Project(project), cache=cache)


def test_a_second_load_takes_every_record_from_the_cache_and_says_the_same(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "checks"
    cold = _load(project, CheckCache(folder))
    n = len(list((project / "cases").glob("*.yml")))
    warm_cache = CheckCache(folder)
    warm = _load(project, warm_cache)
    assert (warm_cache.hits, warm_cache.misses) == (n, 0)
    assert warm.ok and cold.ok
    assert warm.casebook == cold.casebook
    assert warm.diagnostics == cold.diagnostics


def test_many_records_checked_by_workers_are_cached_as_they_are_checked(project: Path, tmp_path: Path) -> None:
    for record in generate(PARALLEL_FROM + 20, seed=7):
        (project / "cases" / f"{record['id']}.yml").write_text(dump(record), encoding="utf-8")
    folder = tmp_path / "checks"
    cold = _load(project, CheckCache(folder))
    warm_cache = CheckCache(folder)
    warm = _load(project, warm_cache)
    assert cold.ok, cold.diagnostics[:3]
    assert warm_cache.misses == 0 and warm_cache.hits >= PARALLEL_FROM + 20
    assert warm.casebook == cold.casebook


def test_a_preview_remembers_the_answers_of_its_workers(project: Path, tmp_path: Path) -> None:
    """Records checked in forked workers are answered from the preview's memory on the next
    load, not read back from the cache folder (nor checked again)."""
    for record in generate(PARALLEL_FROM + 20, seed=7):
        (project / "cases" / f"{record['id']}.yml").write_text(dump(record), encoding="utf-8")
    memory = PreviewChecks()
    first = _load(project, CheckCache(tmp_path / "checks", memory))
    assert first.ok, first.diagnostics[:3]
    assert len(memory.entries) == len(list((project / "cases").glob("*.yml")))
    cache = CheckCache(None, memory)  # no folder: every answer must come from memory
    second = _load(project, cache)
    assert cache.misses == 0 and cache.hits == len(memory.entries)
    assert second.casebook == first.casebook


def test_an_edited_record_is_checked_again_and_its_error_located(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "checks"
    _load(project, CheckCache(folder))
    record = sorted((project / "cases").glob("*.yml"))[0]
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("\nsummary:", "\nsummry:", 1), encoding="utf-8")
    cache = CheckCache(folder)
    result = _load(project, cache)
    assert cache.misses == 1
    assert not result.ok
    assert any(d.file == f"cases/{record.name}" and d.line > 1 for d in result.diagnostics)


def test_a_changed_schema_makes_every_record_checked_again(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "checks"
    _load(project, CheckCache(folder))
    schema_file = project / "data" / "schema" / "case.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    schema["required"] = [*schema["required"], "funding"]
    schema["properties"]["funding"] = {"type": "string", "title": "经费", "description": "经费来源"}
    schema_file.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    cache = CheckCache(folder)
    result = _load(project, cache)
    assert cache.hits == 0
    assert not result.ok
    assert any("funding" in d.message or d.field == "funding" for d in result.diagnostics)


def test_a_photo_added_to_the_case_folder_is_seen_by_a_cached_record(project: Path, tmp_path: Path) -> None:
    """The Markdown check looks into the record's photo folder: its listing is part of the key."""
    folder = tmp_path / "checks"
    record = sorted((project / "cases").glob("*.yml"))[0]
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("\npractice: |\n", "\npractice: |\n  ![门前](gate.jpg)\n\n", 1), encoding="utf-8")
    missing = _load(project, CheckCache(folder))
    assert any("gate.jpg" in d.message for d in missing.diagnostics), missing.diagnostics[:3]
    photo_dir = project / "cases" / record.stem
    photo_dir.mkdir(exist_ok=True)
    _write_jpeg(photo_dir / "gate.jpg")
    cache = CheckCache(folder)
    found = _load(project, cache)
    assert not any("gate.jpg" in d.message for d in found.diagnostics)


def test_a_damaged_cache_entry_is_a_miss_not_an_answer(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "checks"
    _load(project, CheckCache(folder))
    for entry in folder.rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"\x00not marshal")
    cache = CheckCache(folder)
    result = _load(project, cache)
    assert result.ok and cache.hits == 0


def _write_jpeg(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 60, 60)).save(path, "JPEG")


def test_a_preview_server_sees_a_saved_record_though_it_remembers_keys(project: Path, tmp_path: Path) -> None:
    """In memory the key is kept by the file's look (inode, size, times): a save must change it,
    even one that keeps the size."""
    memory = PreviewChecks()
    first = _load(project, CheckCache(tmp_path / "checks", memory))
    assert first.ok
    record = sorted((project / "cases").glob("*.yml"))[0]
    text = record.read_text(encoding="utf-8")
    same_size = text.replace("\nsummary:", "\nsummry:", 1)
    assert len(same_size.encode()) + 1 == len(text.encode())
    record.write_text(same_size + " ", encoding="utf-8")  # one byte back: the same size as before
    cache = CheckCache(tmp_path / "checks", memory)
    second = _load(project, cache)
    assert cache.misses == 1 and not second.ok
    record.write_text(text, encoding="utf-8")
    cache = CheckCache(tmp_path / "checks", memory)
    assert _load(project, cache).ok and cache.misses == 0


def test_a_preview_server_checks_references_again_when_data_or_a_photo_changes(project: Path, tmp_path: Path) -> None:
    """A preview keeps each record's cross-reference check (Loader.check_case_kept): a theme
    gone from data/, or a photo overwritten with a broken file under the same name, must still
    be found on the next save."""
    from tests.test_images import CASE, add_photo, jpeg_with_gps_and_rotation

    memory = PreviewChecks()
    add_photo(project, "door.jpg", jpeg_with_gps_and_rotation(640, 480))
    first = _load(project, CheckCache(tmp_path / "checks", memory))
    assert first.ok, first.diagnostics[:3]
    assert memory.cross

    photo = project / "cases" / CASE / "door.jpg"
    photo.write_bytes(b"\xff\xd8 not a picture any more")
    broken = _load(project, CheckCache(tmp_path / "checks", memory))
    assert any("door.jpg" in d.message for d in broken.diagnostics), broken.diagnostics[:3]
    photo.write_bytes(jpeg_with_gps_and_rotation(640, 480))
    assert _load(project, CheckCache(tmp_path / "checks", memory)).ok

    themes = project / "data" / "themes.yml"
    text = themes.read_text(encoding="utf-8")
    assert "id: weilao-fuwu" in text
    themes.write_text(text.replace("id: weilao-fuwu", "id: weilao-fuwu-2"), encoding="utf-8")
    gone = _load(project, CheckCache(tmp_path / "checks", memory))
    assert any("weilao-fuwu" in d.message and d.file.startswith("cases/") for d in gone.diagnostics), gone.diagnostics[
        :5
    ]
