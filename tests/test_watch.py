"""Watched folders (issue 19, part 4): files that appear import by themselves, each once."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from conftest import ADMIN, SAMPLE_DIR

from analysis.cli import main as cli_main
from analysis.errors import InputError
from analysis.store import Store
from analysis.watch import Watcher, scan_folder

RUNS = sorted((SAMPLE_DIR / "ana" / "runs").glob("*.fit"))[:3]
LONG_AGO = time.time() - 3600


def _put(folder: Path, source: Path, name: str | None = None, *, mtime: float = LONG_AGO) -> Path:
    target = folder / (name or source.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    os.utime(target, (mtime, mtime))
    return target


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "store") as s:
        s.watch_folder(ADMIN, str(tmp_path), "Ana", create_athlete=True)
        yield s


def test_a_file_is_imported_once_and_a_second_scan_changes_nothing(store, tmp_path):
    folder = tmp_path / "sync"
    for run in RUNS[:2]:
        _put(folder, run)
    first = scan_folder(store, ADMIN, folder, "Ana", workers=0)
    assert first.imported_files == 2 and list(first.report["status"]) == ["imported", "imported"]
    version = store.data_version()
    second = scan_folder(store, ADMIN, folder, "Ana", workers=0)
    assert (second.imported_files, second.waiting_files, len(second.report)) == (0, 0, 0)
    assert store.data_version() == version and len(store.runs(ADMIN)) == 2
    assert second.summary().endswith("nothing new")
    # the history has each file's report, under the watch's batch id
    history = store.imports(ADMIN)
    assert history["batch_id"].str.startswith("watch-").all() and len(history) == 2


def test_a_file_still_being_written_waits_for_the_next_scan(store, tmp_path):
    folder = tmp_path / "sync"
    now = time.time()
    growing = _put(folder, RUNS[0], mtime=now)
    early = scan_folder(store, ADMIN, folder, "Ana", now=now + 1, settle_s=5, workers=0)
    assert (early.imported_files, early.waiting_files) == (0, 1) and store.runs(ADMIN).empty
    later = scan_folder(store, ADMIN, folder, "Ana", now=now + 10, settle_s=5, workers=0)
    assert later.imported_files == 1 and len(store.runs(ADMIN)) == 1
    assert growing.exists()


def test_a_changed_file_is_read_again_and_a_failed_one_only_when_it_changes(store, tmp_path):
    folder = tmp_path / "sync"
    bad = folder / "broken.fit"
    folder.mkdir()
    bad.write_bytes(b"\x0e\x10" + bytes(40))
    os.utime(bad, (LONG_AGO, LONG_AGO))
    first = scan_folder(store, ADMIN, folder, "Ana", workers=0)
    assert list(first.report["status"]) == ["skipped"]  # not a FIT file at all
    assert scan_folder(store, ADMIN, folder, "Ana", workers=0).imported_files == 0  # not retried while unchanged
    shutil.copyfile(RUNS[1], bad)  # the sync finished writing it properly
    os.utime(bad, (LONG_AGO + 60, LONG_AGO + 60))
    again = scan_folder(store, ADMIN, folder, "Ana", workers=0)
    assert list(again.report["status"]) == ["imported"] and len(store.runs(ADMIN)) == 1


def test_hidden_files_linked_folders_and_pipes_are_left_alone(store, tmp_path):
    folder = tmp_path / "sync"
    _put(folder, RUNS[0])
    _put(folder, RUNS[1], ".hidden.fit")
    _put(folder, RUNS[1], "__MACOSX/x.fit")
    elsewhere = tmp_path / "elsewhere"
    _put(elsewhere, RUNS[2])
    (folder / "link").symlink_to(elsewhere, target_is_directory=True)
    os.mkfifo(folder / "pipe.fit")  # reading a pipe would block the scan forever
    result = scan_folder(store, ADMIN, folder, "Ana", workers=0)
    assert result.imported_files == 1 and len(store.runs(ADMIN)) == 1


def test_an_unknown_athlete_or_folder_is_refused(store, tmp_path):
    with pytest.raises(InputError, match="athlete 'Anna': not in the store"):
        scan_folder(store, ADMIN, tmp_path, "Anna", workers=0)
    with pytest.raises(InputError, match="does not exist"):
        scan_folder(store, ADMIN, tmp_path / "nope", "Ana", workers=0)


def test_cli_watch_once_twice(tmp_path, capsys):
    folder = tmp_path / "sync"
    _put(folder, RUNS[0])
    args = ["watch", str(folder), "--athlete", "Ana", "--new-athlete", "--once", "--store", str(tmp_path / "s")]
    assert cli_main(args) == 0
    assert "1 imported" in capsys.readouterr().out
    assert cli_main(args) == 0
    assert capsys.readouterr().out.strip().endswith("nothing new")
    with Store(tmp_path / "s") as store:
        assert len(store.runs(ADMIN)) == 1
        assert store.watched_folders(ADMIN)["folder"].tolist() == [str(folder.resolve())]


def test_the_apps_watcher_thread_imports_what_appears(tmp_path):
    folder = tmp_path / "sync"
    folder.mkdir()
    with Store(tmp_path / "store") as store:
        store.watch_folder(ADMIN, str(folder.resolve()), "Ana", create_athlete=True)
        errors: list[str] = []
        watcher = Watcher(store, interval_s=0.2, on_error=errors.append).start()
        try:
            _put(folder, RUNS[0])
            deadline = time.monotonic() + 60
            while store.runs(ADMIN).empty and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            watcher.stop(wait_s=30)  # before the store closes under it
        assert len(store.runs(ADMIN)) == 1 and not errors
        assert not store.watch_imports(ADMIN, since=store.imports(ADMIN)["imported_at"].min()).empty


def test_the_data_settings_page_watches_a_folder_and_the_overview_tells_what_came_in(tmp_path, monkeypatch):
    from app_harness import assert_no_exception, open_app

    store_dir = tmp_path / "store"
    with Store(store_dir) as store:
        store.watch_folder(ADMIN, str(tmp_path), "Ana", create_athlete=True)  # an athlete, so the form shows
        store.unwatch_folder(ADMIN, str(tmp_path))
    folder = tmp_path / "sync"
    _put(folder, RUNS[0])
    at = open_app(store_dir, monkeypatch, page="app_pages/data_settings.py")
    at.session_state["data_settings_tab"] = "Watched folders"
    at.run()
    assert_no_exception(at)
    at.text_input(key="watch_folder").input(str(tmp_path / "missing")).run()
    at.button(key="watch_add").click().run()
    assert "does not exist" in " ".join(e.value for e in at.error)
    at.text_input(key="watch_folder").input(str(folder)).run()
    at.button(key="watch_add").click().run()
    assert_no_exception(at)
    assert any("Watching" in s.value for s in at.success)
    at.button(key="watch_scan_now").click().run()
    assert_no_exception(at)
    assert any("1 imported" in s.value for s in at.success)
    at.switch_page("app_pages/overview.py").run()
    assert_no_exception(at)
    assert any("Watched folders** brought in 1 new file" in i.value for i in at.info)


def test_a_folder_outside_the_allowed_roots_is_refused(tmp_path, monkeypatch):
    from analysis.watch import WATCH_ROOTS_ENV, resolve_folder

    (tmp_path / "allowed" / "ana").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    monkeypatch.setenv(WATCH_ROOTS_ENV, str(tmp_path / "allowed"))
    assert resolve_folder(tmp_path / "allowed" / "ana") == str((tmp_path / "allowed" / "ana").resolve())
    with pytest.raises(InputError, match="not inside the folders this server may watch"):
        resolve_folder(tmp_path / "other")
    (tmp_path / "allowed" / "escape").symlink_to(tmp_path / "other", target_is_directory=True)
    with pytest.raises(InputError, match="not inside"):  # a link inside pointing out is followed, then refused
        resolve_folder(tmp_path / "allowed" / "escape")
