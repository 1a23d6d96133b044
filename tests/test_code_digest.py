"""The one digest of code behind every cache key (records/code_digest.py)."""

from __future__ import annotations

from pathlib import Path

from casebook.records.code_digest import PACKAGE, files_digest, library_versions, package_files


def _tree(root: Path, files: dict[str, bytes]) -> list[Path]:
    out = []
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        out.append(path)
    return out


def test_the_digest_follows_every_name_every_byte_and_every_version(tmp_path: Path) -> None:
    base = files_digest(tmp_path, _tree(tmp_path / "a", {"x.py": b"print(1)", "t/y.html": b"<p>"}), "lib=1")
    same = files_digest(tmp_path, reversed(_tree(tmp_path / "a", {"x.py": b"print(1)", "t/y.html": b"<p>"})), "lib=1")
    assert same == base  # the order the files are found in does not count
    changes = [
        files_digest(tmp_path, _tree(tmp_path / "b", {"x.py": b"print(2)", "t/y.html": b"<p>"}), "lib=1"),
        files_digest(tmp_path, _tree(tmp_path / "c", {"z.py": b"print(1)", "t/y.html": b"<p>"}), "lib=1"),
        files_digest(tmp_path, _tree(tmp_path / "a", {"x.py": b"print(1)", "t/y.html": b"<p>"}), "lib=2"),
        # Bytes moved from one file to the next, or from a name into the bytes: never the same stream.
        files_digest(tmp_path, _tree(tmp_path / "d", {"x.py": b"print(1)<p>", "t/y.html": b""}), "lib=1"),
    ]
    renamed = _tree(tmp_path / "e", {"x.py": b"print(1)", "t/y.html": b"<p>"})
    changes.append(files_digest(tmp_path / "e", renamed, "lib=1"))  # same files, other names under root
    assert base not in changes and len(set(changes)) == len(changes)


def test_the_core_files_of_each_kind_asked_for_are_found() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in package_files(".py", ".html", ".j2")}
    assert "records/code_digest.py" in names and "site/templates/case.html" in names
    assert "site/templates/handouts/word/document.xml.j2" in names
    assert "site/templates/case.html" not in {p.relative_to(PACKAGE).as_posix() for p in package_files(".py")}


def test_a_library_that_is_not_installed_is_named_without_a_version() -> None:
    assert library_versions("jinja2-not-a-real-distribution") == ["jinja2-not-a-real-distribution"]
    (jinja,) = library_versions("Jinja2")
    assert jinja.startswith("Jinja2=") and jinja[len("Jinja2=") :][0].isdigit()
