"""expand_sources: folders, zips (nested), gzip, uploads; content sniffing; archive-bomb and path-traversal guards."""

from __future__ import annotations

import gzip
import io
import os
import struct
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fit_fixtures import Stretch, gpx_from_records, records_for, run_file

from analysis.ingest.sources import ArchiveLimits, Skipped, SourceFile, expand_sources
from analysis.io.fit_writer import FitWriter

REPO = Path(__file__).resolve().parent.parent
FIT = run_file([Stretch(600, 3.0)])
GPX = gpx_from_records(records_for([Stretch(600, 3.0)]))
STRENGTH = (REPO / "sample_data" / "strength_log_template.csv").read_bytes()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
TCX = b'<?xml version="1.0"?>\n<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'


def zip_bytes(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)  # ZipInfo keeps names as given ("../x", "/abs") unlike ZipFile.write
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


def expand(*sources, **kwargs) -> list[SourceFile | Skipped]:
    return list(expand_sources(list(sources), **kwargs))


def by_name(items: list[SourceFile | Skipped]) -> dict[str, SourceFile | Skipped]:
    return {item.name: item for item in items}


def reason(items: list[SourceFile | Skipped], name: str) -> str:
    item = by_name(items)[name]
    assert isinstance(item, Skipped), f"{name} was not skipped: {item}"
    return item.reason


# ----------------------------------------------------------------------------------------------------
# folders, files, uploads


def test_folder_is_read_recursively_in_sorted_order_and_os_litter_is_ignored(tmp_path: Path) -> None:
    club = tmp_path / "club"
    for rel, data in {
        "ben/runs/2026-09-02.FIT": FIT,
        "ana/runs/b.fit": FIT,
        "ana/runs/a.gpx": GPX,
        "Ana-notes/log.txt": STRENGTH,
        "ana/.DS_Store": b"\x00\x00\x00\x01Bud1",
        "ana/runs/._a.gpx": b"\x00\x05\x16\x07",
        "__MACOSX/ana/runs/._b.fit": b"\x00\x05\x16\x07",
        ".git/config": b"[core]\n",
        "Thumbs.db": b"\xd0\xcf\x11\xe0",
        "ana/photo.jpg": JPEG,
    }.items():
        path = club / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (club / "empty-subfolder").mkdir()

    items = expand(club)

    assert [item.name for item in items] == [
        "club/ana/photo.jpg",
        "club/ana/runs/a.gpx",
        "club/ana/runs/b.fit",
        "club/Ana-notes/log.txt",
        "club/ben/runs/2026-09-02.FIT",
    ]
    kinds = {item.name: getattr(item, "kind", "skipped") for item in items}
    assert kinds["club/ana/runs/a.gpx"] == "gpx"
    assert kinds["club/ana/runs/b.fit"] == "fit"
    assert kinds["club/Ana-notes/log.txt"] == "strength_csv"
    assert reason(items, "club/ana/photo.jpg") == "not an activity or strength log (looks like a JPEG image)"
    assert by_name(items)["club/ana/runs/b.fit"].data == FIT


def test_a_file_is_named_by_its_base_name_a_missing_path_as_given(tmp_path: Path) -> None:
    (tmp_path / "run.fit").write_bytes(FIT)
    missing = str(tmp_path / "nope" / "gone.fit")
    items = expand(tmp_path / "run.fit", missing)
    assert [type(i) for i in items] == [SourceFile, Skipped]
    assert items[0].name == "run.fit" and items[0].kind == "fit"
    assert items[1] == Skipped(missing, "file not found")


def test_a_single_path_or_upload_is_not_iterated_character_by_character(tmp_path: Path) -> None:
    (tmp_path / "run.fit").write_bytes(FIT)
    assert [i.name for i in expand_sources(str(tmp_path / "run.fit"))] == ["run.fit"]
    assert [i.kind for i in expand_sources(("upload.gpx", GPX))] == ["gpx"]


def test_empty_files_and_empty_folders_say_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "zero.fit").write_bytes(b"")
    items = expand(tmp_path / "empty", tmp_path / "zero.fit", ("blank.csv", b""))
    assert items == [
        Skipped("empty", "folder holds no files"),
        Skipped("zero.fit", "empty file"),
        Skipped("blank.csv", "empty file"),
    ]


def test_uploads_are_name_and_bytes_and_may_be_archives() -> None:
    export = zip_bytes({"activities/1.fit.gz": gzip.compress(FIT), "activities/2.gpx": GPX})
    items = expand(("run.fit", FIT), ("export.zip", export), ("bytearray.gpx", bytearray(GPX)))
    assert [(i.name, i.kind) for i in items] == [
        ("run.fit", "fit"),
        ("export.zip/activities/1.fit.gz", "fit"),
        ("export.zip/activities/2.gpx", "gpx"),
        ("bytearray.gpx", "gpx"),
    ]
    assert items[1].data == FIT  # decompressed


def test_expansion_is_lazy() -> None:
    def uploads() -> Iterator[tuple[str, bytes]]:
        yield ("first.fit", FIT)
        raise AssertionError("the second source was read before it was asked for")

    items = expand_sources(uploads())
    assert next(items).name == "first.fit"


def test_oversized_files_are_refused_before_they_are_read(tmp_path: Path) -> None:
    (tmp_path / "big.gpx").write_bytes(GPX + b" " * 2000)
    items = expand(tmp_path / "big.gpx", ("big-upload.gpx", GPX + b" " * 2000),
                   limits=ArchiveLimits(max_file_bytes=len(GPX) + 1000))
    assert all(isinstance(i, Skipped) and "are refused" in i.reason for i in items), items


# ----------------------------------------------------------------------------------------------------
# what a file is: content, never the name


def test_kind_comes_from_content_not_the_extension() -> None:
    strong = b"Date;Workout Name;Exercise Name;Set Order;Weight;Reps\n2026-01-08 07:31:54;Core;Plank;1;0;1\n"
    # Strong writes its header in the app's language; Polish is in no table: its column order and values tell
    german = ("Datum,Workout-Name,Dauer,Name der Übung,Reihenfolge festlegen,Gewicht,Wiederh.,Entfernung,Sekunden,"
              "Notizen,Workout-Notizen,RPE\n2026-01-08 07:31:54,Core,45m,Plank,1,0,0,0,60,,,\n").encode()
    polish = ("Data,Nazwa treningu,Czas trwania,Nazwa ćwiczenia,Kolejność serii,Ciężar,Powtórzenia,Dystans,Sekundy,"
              "Notatki,Notatki z treningu,RPE\n2026-01-08 07:31:54,Core,45m,Plank,1,0,0,0,60,,,\n").encode()
    hevy = (b"title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,set_index,"
            b"set_type,weight_kg,reps\nHips,22 Dec 2025 08:00,22 Dec 2025 09:00,,Clamshell,,,0,normal,,15\n")
    garmin_activities = (b"Activity Type,Date,Favorite,Title,Distance,Calories,Time\n"
                         b"Running,2026-01-01,false,x,5,300,0\n")
    items = expand(
        ("log.txt", STRENGTH),
        ("strong.csv", strong),
        ("strong_de.csv", german),
        ("strong_pl.csv", polish),
        ("hevy_export", hevy),
        ("utf16.csv", "\ufeffdate\tback soreness\n2026-01-01\t3\n".encode("utf-16")),
        ("really-a-fit.csv", FIT),
        ("really-a-gpx.txt", GPX),
        ("Activities.csv", garmin_activities),
        ("ride.tcx", TCX),
        ("photo.fit", JPEG),
        ("report.pdf", b"%PDF-1.7\n" + bytes(range(256))),
        ("summary.json", b'{"activities": []}'),
        ("notes.txt", b"felt good today\nback a bit stiff\n"),
        ("noise.bin", bytes(range(256)) * 8),
        ("inner.zip.tar", b"x" * 257 + b"ustar\x0000" + b"\x00" * 300),
    )
    kinds = {i.name: (i.kind if isinstance(i, SourceFile) else i.reason) for i in items}
    assert kinds["log.txt"] == "strength_csv"
    assert kinds["strong.csv"] == kinds["strong_de.csv"] == kinds["strong_pl.csv"] == "strength_csv"
    assert kinds["hevy_export"] == "strength_csv"
    assert kinds["utf16.csv"] == "strength_csv"
    assert kinds["really-a-fit.csv"] == "fit"
    assert kinds["really-a-gpx.txt"] == "gpx"
    assert kinds["ride.tcx"] == "tcx"
    assert kinds["photo.fit"] == "not an activity or strength log (looks like a JPEG image)"
    assert "PDF" in kinds["report.pdf"]
    assert "JSON" in kinds["summary.json"]
    assert "'date' column" in kinds["Activities.csv"]  # says what a strength log needs
    assert kinds["notes.txt"] == "not an activity or strength log (looks like a text file)"
    assert kinds["noise.bin"] == "not an activity or strength log (its content matches no format we read)"
    assert "tar archive" in kinds["inner.zip.tar"]


def test_fit_files_that_are_not_activities_are_skipped_by_their_file_type() -> None:
    monitoring, course, odd = FitWriter(), FitWriter(big_endian=True), FitWriter()
    monitoring.write("file_id", type=32, manufacturer="garmin")
    course.write("file_id", manufacturer="garmin", type="course")
    odd.write("file_id", type=200, manufacturer="garmin")  # a type we do not know: the reader decides
    items = expand(("wellness.fit", monitoring.to_bytes()), ("route.fit", course.to_bytes()),
                   ("odd.fit", odd.to_bytes()), ("run.fit", FIT))
    assert reason(items, "wellness.fit") == (
        "is a FIT monitoring (all-day tracking) file, not a recorded activity; there is nothing to import"
    )
    assert reason(items, "route.fit").startswith("is a FIT course (a planned route) file")
    assert [i.kind for i in items[2:]] == ["fit", "fit"]


def test_an_excel_workbook_is_named_as_such_not_opened_as_a_zip() -> None:
    xlsx = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    items = expand(("log.xlsx", xlsx))
    assert len(items) == 1 and "Excel workbook" in items[0].reason and "CSV" in items[0].reason


# ----------------------------------------------------------------------------------------------------
# archives


def test_zip_with_folders_nested_zip_and_gzip_members(tmp_path: Path) -> None:
    inner = zip_bytes({"a.fit": FIT, "deeper/b.gpx": GPX}, compression=zipfile.ZIP_STORED)
    export = zip_bytes({
        "activities/1.fit.gz": gzip.compress(FIT),
        "activities/2.gpx.gz": gzip.compress(GPX),
        "activities/3.tcx": TCX,
        "DI_CONNECT/Uploaded/UploadedFiles_0-_Part1.zip": inner,
        "strength/log.txt": STRENGTH,
        "__MACOSX/activities/._1.fit.gz": b"\x00\x05\x16\x07",
        "activities/.hidden.fit": FIT,
        "empty/": b"",
    })
    (tmp_path / "export.zip").write_bytes(export)

    items = expand(tmp_path / "export.zip")

    assert [(i.name, getattr(i, "kind", None)) for i in items] == [
        ("export.zip/activities/1.fit.gz", "fit"),
        ("export.zip/activities/2.gpx.gz", "gpx"),
        ("export.zip/activities/3.tcx", "tcx"),
        ("export.zip/DI_CONNECT/Uploaded/UploadedFiles_0-_Part1.zip/a.fit", "fit"),
        ("export.zip/DI_CONNECT/Uploaded/UploadedFiles_0-_Part1.zip/deeper/b.gpx", "gpx"),
        ("export.zip/strength/log.txt", "strength_csv"),
    ]
    assert items[0].data == FIT and items[1].data == GPX and items[4].data == GPX
    assert items[2].data == TCX


def test_a_gzip_file_on_its_own(tmp_path: Path) -> None:
    (tmp_path / "123.fit.gz").write_bytes(gzip.compress(FIT))
    (tmp_path / "broken.gpx.gz").write_bytes(gzip.compress(GPX)[:-30])
    items = expand(tmp_path / "123.fit.gz", tmp_path / "broken.gpx.gz")
    assert (items[0].name, items[0].kind, items[0].data) == ("123.fit.gz", "fit", FIT)
    assert isinstance(items[1], Skipped) and "damaged gzip" in items[1].reason


def test_corrupt_and_encrypted_archives_are_skipped_with_a_reason(tmp_path: Path) -> None:
    good = zip_bytes({"a.fit": FIT, "b.gpx": GPX})
    (tmp_path / "cut.zip").write_bytes(good[: len(good) // 2])
    encrypted = bytearray(zip_bytes({"secret.fit": FIT}))
    # set the "encrypted" flag bit in the local header and the central directory entry
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = encrypted.find(signature) + flag_offset
        encrypted[at] |= 0x01
    items = expand(tmp_path / "cut.zip", ("locked.zip", bytes(encrypted)), ("junk.zip", b"PK\x03\x04" + b"\x00" * 64))
    assert reason(items, "cut.zip").startswith("is a damaged zip archive")
    assert reason(items, "locked.zip/secret.fit").startswith("is password-protected")
    assert reason(items, "junk.zip").startswith("is a damaged zip archive")


def test_member_names_never_become_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unique = f"ingest-traversal-{uuid.uuid4().hex}.fit"
    absolute = Path("/tmp") / unique
    members = {
        f"../{unique}": FIT,
        f"../../{unique}": GPX,
        str(absolute): FIT,
        f"a/../../{unique}": FIT,
        f"..\\..\\{unique}": FIT,
    }
    (tmp_path / "evil.zip").write_bytes(zip_bytes(members))
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    before = sorted(p for p in tmp_path.rglob("*"))

    items = expand(tmp_path / "evil.zip", ("evil-upload.zip", zip_bytes(members)))

    assert len(items) == 10 and all(isinstance(i, SourceFile) for i in items)
    assert f"evil.zip/../{unique}" in by_name(items)  # shown as written, for the report only
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert not absolute.exists()
    for parent in (tmp_path.parent, tmp_path.parent.parent, workdir.parent, workdir.parent.parent):
        assert not (parent / unique).exists()
    assert not any(p.name == unique for p in Path("/tmp").glob("*"))


# ----------------------------------------------------------------------------------------------------
# archive bombs


def test_zip_bomb_is_refused_from_its_declared_sizes_without_unpacking(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = zip_bytes({"zeros.fit": b"\x00" * 50_000_000, "run.fit": FIT})
    assert len(bomb) < 200_000  # ~1000× packed
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    items = expand(("bomb.zip", bomb))
    assert reason(items, "bomb.zip/zeros.fit") == "expands more than 100× (possible zip bomb); it was not unpacked"
    assert by_name(items)["bomb.zip/run.fit"].kind == "fit"  # the rest of the archive still counts
    assert opened == ["run.fit"]


def test_gzip_bomb_is_stopped_while_unpacking() -> None:
    bomb = gzip.compress(b"\x00" * 50_000_000, compresslevel=9)
    items = expand(("activity.fit.gz", bomb))
    assert items == [Skipped("activity.fit.gz", "expands more than 100× (possible gzip bomb); it was not unpacked")]


def test_gzip_is_read_with_a_bounded_size() -> None:
    text = os.urandom(1_000_000).hex().encode()  # 2 MB that packs only ~2×: no bomb, just too big
    limits = ArchiveLimits(max_file_bytes=1_000_000)
    items = expand(("huge.gpx.gz", gzip.compress(text)), limits=limits)
    assert len(items) == 1 and "is larger than 1.0 MB once unpacked" in items[0].reason


def test_a_lying_declared_size_does_not_let_more_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """The central directory says 1,000 bytes; the data is 5 MB of zeros. Reading stops at the claim."""
    data = bytearray(zip_bytes({"liar.fit": b"\x00" * 5_000_000}))
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature) + size_offset
        data[at:at + 4] = struct.pack("<I", 1000)
    items = expand(("liar.zip", bytes(data)))
    assert len(items) == 1 and isinstance(items[0], Skipped)
    assert items[0].reason.startswith("is damaged inside the archive")


def test_too_many_members_counting_nested_archives() -> None:
    limits = ArchiveLimits(max_members=10)
    many = zip_bytes({f"f{i}.gpx": GPX for i in range(11)})
    inner = zip_bytes({f"in{i}.gpx": GPX for i in range(6)})
    nested = zip_bytes({**{f"out{i}.gpx": GPX for i in range(4)}, "inner.zip": inner})
    ok = zip_bytes({f"f{i}.gpx": GPX for i in range(10)})
    items = expand(("many.zip", many), ("nested.zip", nested), ("ok.zip", ok), limits=limits)
    assert reason(items, "many.zip").startswith("archive holds more than 10 files")
    assert reason(items, "nested.zip").startswith("archive holds more than 10 files")
    assert sum(1 for i in items if i.name.startswith("ok.zip/") and isinstance(i, SourceFile)) == 10


def test_total_unpacked_bytes_per_top_level_file() -> None:
    limits = ArchiveLimits(max_total_bytes=3 * len(GPX))
    archive = zip_bytes({f"f{i}.gpx": GPX for i in range(5)})
    items = expand(("export.zip", archive), ("next.gpx", GPX), limits=limits)
    assert reason(items, "export.zip").startswith("archive unpacks to more than")
    assert by_name(items)["next.gpx"].kind == "gpx"  # a fresh budget for the next upload


def test_depth_limit_counts_zip_and_gzip_levels() -> None:
    three = zip_bytes({"b.zip": zip_bytes({"c.zip": zip_bytes({"run.fit": FIT})})})
    four = zip_bytes({"b.zip": zip_bytes({"c.zip": zip_bytes({"d.zip": zip_bytes({"run.fit": FIT})})})})
    gz_in_three = zip_bytes({"b.zip": zip_bytes({"c.zip": zip_bytes({"run.fit.gz": gzip.compress(FIT)})})})
    items = expand(("three.zip", three), ("four.zip", four), ("gz.zip", gz_in_three))
    assert by_name(items)["three.zip/b.zip/c.zip/run.fit"].kind == "fit"
    assert "more than 3 levels deep" in reason(items, "four.zip/b.zip/c.zip/d.zip")
    assert "more than 3 levels deep" in reason(items, "gz.zip/b.zip/c.zip/run.fit.gz")
    assert by_name(expand(("gz.zip", gz_in_three), limits=ArchiveLimits(max_depth=4)))[
        "gz.zip/b.zip/c.zip/run.fit.gz"
    ].kind == "fit"


def test_a_large_nested_archive_is_buffered_not_refused() -> None:
    """An inner zip above max_file_bytes (Garmin's inner parts are hundreds of MB) is still opened."""
    inner = zip_bytes({f"run{i}.gpx": GPX for i in range(8)}, compression=zipfile.ZIP_STORED)
    limits = ArchiveLimits(max_file_bytes=len(inner) // 3)
    items = expand(("export.zip", zip_bytes({"part1.zip": inner})), limits=limits)
    assert [i.kind for i in items] == ["gpx"] * 8
