"""`python -m analysis`: read files, ingest them into the store, and export what it holds.

    python -m analysis ingest ~/garmin-export.zip --athlete Ana      # files, folders, zips, .gz
    python -m analysis export --out exports/                          # runs.csv, weekly.csv, strength_log.csv
    python -m analysis export --out exports/ --samples [--positions]  # and samples.csv (positions on request)
    python -m analysis athletes | remove --athlete Ana | recompute | sample | read FILE...
    python -m analysis exercises map "Copenhagen adductor" hip [--athlete Ana] | unmap NAME | list
    python -m analysis check-in --athlete Ana --soreness 3 --exercise "dead bug:3x10" [--run ID --effort 7]
    python -m analysis check-in --list | --delete ID
    python -m analysis watch ~/GarminSync --athlete Ana [--once]

The store is `data/` in the project unless `--store DIR` or env CORE_CADENCE_STORE says otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from analysis.access import CLI_VIEWER, ROLE_HELP, ROLES
from analysis.errors import InputError
from analysis.io import read_activity
from analysis.io.source import find_activity_files


def _expand(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(find_activity_files(path))
        else:
            files.append(path)
    return files


def _cmd_read(args: argparse.Namespace) -> int:
    failed = 0
    for path in _expand(args.paths):
        started = time.perf_counter()
        try:
            activity = read_activity(path)
        except InputError as exc:
            failed += 1
            row = {"file": path.name, "status": "failed", "reason": str(exc)}
        else:
            row = {"status": "read", **activity.summary()}
        row["read_s"] = round(time.perf_counter() - started, 3)
        if args.json:
            print(json.dumps(row, default=str))
        else:
            print("  ".join(f"{k}={v}" for k, v in row.items() if v not in (None, "")))
    return 1 if failed else 0


def _open_store(args: argparse.Namespace):
    from analysis.store import Store

    return Store(args.store)


class _ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, label: str):
        self.label = label
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int, name: str) -> None:
        if not self.enabled or total <= 0:
            return
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[-40:]:40}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _print_report(report) -> None:
    import pandas as pd

    if report.empty:
        print("nothing to import")
        return
    shown = report[["file", "status", "sport", "start_local", "distance_km", "duration_min", "cadence_unit",
                    "reason"]].rename(columns={"start_local": "start (local)"})
    with pd.option_context("display.max_colwidth", 70, "display.width", 200):
        print(shown.to_string(index=False, na_rep=""))
    counts = report["status"].value_counts()
    print("  ".join(f"{status}: {counts[status]}" for status in counts.index))


def _print_strength_notes(report) -> None:
    """After the table: the rows left out of each strength log, then what to add to store what was held."""
    from analysis.ingest.pipeline import refused_for_rows_only, rows_left_out

    if report.empty:
        return
    for row in report.itertuples(index=False):
        for sentence in rows_left_out(row.warnings):
            print(f"{row.file}: {sentence}")
    rows_only = int(sum(refused_for_rows_only(r) for r in report["reason"]))
    if rows_only:
        print(f"{rows_only} strength log{'s were' if rows_only != 1 else ' was'} refused only for bad rows: "
              "add --skip-bad-rows to import the other rows (the rows left out are listed)")
    held = int((report["status"] == "overlaps").sum())
    if held:
        logs, were = ("logs overlap", "were") if held != 1 else ("log overlaps", "was")
        print(f"{held} strength {logs} a stored log (see the reason) and {were} not stored: add --on-overlap "
              "replace to replace the stored log, or --on-overlap keep to keep both")


def _cmd_ingest(args: argparse.Namespace) -> int:
    from analysis.ingest.pipeline import ingest

    with _open_store(args) as store:
        report = ingest(args.paths, athlete=args.athlete, store=store, viewer=CLI_VIEWER, workers=args.workers,
                        timeout_s=args.timeout, progress=_ProgressBar("reading"),
                        drop_positions=args.drop_positions, skip_bad_rows=args.skip_bad_rows,
                        on_strength_overlap=args.on_overlap)
    _print_report(report)
    _print_strength_notes(report)
    return 1 if (report["status"] == "failed").any() else 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from analysis.ingest.pipeline import load_sample_club

    with _open_store(args) as store:
        report = load_sample_club(store, viewer=CLI_VIEWER, workers=args.workers, progress=_ProgressBar("sample club"))
    _print_report(report)
    return 1 if (report["status"] == "failed").any() else 0


def _cmd_export(args: argparse.Namespace) -> int:
    from analysis.export import export_store

    if args.positions and not args.samples:
        print("--positions needs --samples: only the samples export has positions", file=sys.stderr)
        return 2
    with _open_store(args) as store:
        written = export_store(store, CLI_VIEWER, Path(args.out), fmt=args.format, athletes=args.athlete or None,
                               samples=args.samples, include_positions=args.positions)
    for path in written:
        print(path)
    return 0


def _cmd_athletes(args: argparse.Namespace) -> int:
    with _open_store(args) as store:
        table = store.athletes(CLI_VIEWER)
    if table.empty:
        print("no athletes yet: python -m analysis ingest PATH --athlete NAME (or: python -m analysis sample)")
    else:
        print(table.to_string(index=False))
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    with _open_store(args) as store:
        if args.sample_club:
            print(f"removed {store.remove_sample_club(CLI_VIEWER)} sample athletes")
            return 0
        if args.athlete:
            if not store.remove_athlete(CLI_VIEWER, args.athlete):
                print(f"no athlete called {args.athlete!r}", file=sys.stderr)
                return 1
            print(f"removed athlete {args.athlete} and all of their runs, strength log and import history")
            return 0
        if not store.remove_run(CLI_VIEWER, args.run):
            print(f"no run with id {args.run!r} (see the run_id column of runs.csv)", file=sys.stderr)
            return 1
        print(f"removed run {args.run}")
        return 0


def _cmd_recompute(args: argparse.Namespace) -> int:
    overrides = {}
    for item in args.set or []:
        name, _, value = item.partition("=")
        try:
            overrides[name.strip()] = float(value)
        except ValueError:
            print(f"--set {item!r}: expected NAME=NUMBER", file=sys.stderr)
            return 2
    with _open_store(args) as store:
        started = time.perf_counter()
        try:
            count = store.set_metric_settings(CLI_VIEWER, store.metric_settings(CLI_VIEWER),
                                              progress=_ProgressBar("recomputing"), **overrides)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
    print(f"recomputed the metrics of {count} runs from stored samples in {time.perf_counter() - started:.1f} s")
    return 0


def _cmd_exercises(args: argparse.Namespace) -> int:
    """`exercises map|unmap|list`: the user's own exercise names (their session types apply to stored entries)."""
    import pandas as pd

    scope = f"for {args.athlete}" if getattr(args, "athlete", None) else "for the whole club"
    with _open_store(args) as store:
        if args.action == "map":
            store.map_exercise(CLI_VIEWER, args.name, args.session_type, athlete=args.athlete)
            print(f"mapped {args.name!r} to {args.session_type.strip().lower()} {scope}: its stored entries and "
                  "later imports count as that type")
            return 0
        if args.action == "unmap":
            if not store.unmap_exercise(CLI_VIEWER, args.name, athlete=args.athlete):
                print(f"no mapping of {args.name!r} {scope} (see: python -m analysis exercises list)",
                      file=sys.stderr)
                return 1
            print(f"removed the mapping of {args.name!r} {scope}")
            return 0
        mappings, unknown = store.exercise_mappings(CLI_VIEWER), store.unrecognised_exercises(CLI_VIEWER)
    with pd.option_context("display.max_colwidth", 60, "display.width", 200):
        if mappings.empty:
            print("no exercise mappings yet: python -m analysis exercises map NAME TYPE [--athlete A]")
        else:
            print("exercise mappings (athlete blank = the whole club):")
            shown = mappings.assign(athlete=mappings["athlete"].fillna(""),
                                    created_at=pd.to_datetime(mappings["created_at"], utc=True).dt.strftime("%Y-%m-%d"))
            print(shown.rename(columns={"created_at": "created"}).to_string(index=False))
        if unknown.empty:
            print("no unrecognised exercise names: every stored name has a session type")
        else:
            print(f"\n{len(unknown)} unrecognised exercise name(s), counted as 'other' (entries = rows of the log):")
            print(unknown.assign(last_date=unknown["last_date"].dt.strftime("%Y-%m-%d")).to_string(index=False))
    return 0


def _cmd_check_in(args: argparse.Namespace) -> int:
    """`check-in`: log soreness, strength work and how hard a run felt (analysis.check_in), list or delete."""
    import datetime as dt

    from analysis import check_in as ci

    with _open_store(args) as store:
        if args.delete:
            ci.delete_check_in(store, CLI_VIEWER, args.delete)
            print(f"deleted check-in {args.delete}; the runs it rated have the watch's answer again (if any)")
            return 0
        if args.list:
            found = ci.recent_check_ins(store, CLI_VIEWER, [args.athlete] if args.athlete else None,
                                        days=args.days or None)
            if not found:
                print("no check-ins yet: python -m analysis check-in --athlete NAME --soreness N ...")
            for stored in found:
                print(f"{stored.check_in_id}  {stored.check_in.date.isoformat()}  {stored.check_in.athlete}  "
                      f"{stored.summary()}")
            return 0
        if not args.athlete:
            raise InputError("--athlete: whose check-in is this? (or --list / --delete ID)")
        runs, efforts, feels = args.run or [], args.effort or [], args.feel or []
        for flag, values in (("--effort", efforts), ("--feel", feels)):
            if values and len(values) != len(runs):
                raise InputError(f"{flag}: give one per --run, in the same order ({len(runs)} --run, "
                                 f"{len(values)} {flag})")
        if args.date:
            try:
                day = dt.date.fromisoformat(args.date)
            except ValueError:
                raise InputError(f"--date {args.date!r}: expected a date as YYYY-MM-DD") from None
        else:
            day = ci.default_date(store, CLI_VIEWER, args.athlete, runs)
        answers = tuple(ci.RunAnswer(run, efforts[i] if efforts else None, feels[i] if feels else None)
                        for i, run in enumerate(runs))
        check_in = ci.CheckIn(args.athlete, day, args.soreness, args.note or "",
                              tuple(ci.parse_exercise(e) for e in args.exercise or ()), answers)
        saved = ci.save_check_in(store, CLI_VIEWER, check_in, new_athlete=args.new_athlete)
        stored = ci.stored_check_in(store, CLI_VIEWER, saved.check_in_id)
    for message in saved.messages:
        print(message)
    print(f"stored check-in {saved.check_in_id} ({day.isoformat()}, {stored.check_in.athlete}): {stored.summary()}")
    return 0


def _cmd_watch(args: argparse.Namespace) -> int:
    """`watch FOLDER --athlete NAME [--once]`: import new files of a folder as they appear (analysis.watch)."""
    from analysis.watch import resolve_folder, scan_folder

    folder = resolve_folder(args.folder)
    with _open_store(args) as store:
        if args.athlete.casefold() not in {a.casefold() for a in store.athletes(CLI_VIEWER)["athlete"]}:
            if not args.new_athlete:
                raise InputError(f"athlete {args.athlete!r}: not in the store; check the spelling, or add "
                                 "--new-athlete")
        store.watch_folder(CLI_VIEWER, folder, args.athlete, create_athlete=args.new_athlete)
        failed = False
        while True:
            result = scan_folder(store, CLI_VIEWER, folder, args.athlete, settle_s=args.settle, workers=args.workers)
            if not result.report.empty:
                _print_report(result.report)
                failed = failed or bool((result.report["status"] == "failed").any())
            print(result.summary(), flush=True)
            if args.once:
                return 1 if failed else 0
            try:
                time.sleep(args.interval)
            except KeyboardInterrupt:
                return 0


def _cmd_users(args: argparse.Namespace) -> int:
    """`users add|list|remove`: the club's accounts (analysis.access), as the app's Users page manages them."""
    with _open_store(args) as store:
        if args.action == "add":
            if args.role == "athlete" and args.athlete is None:
                raise InputError("an athlete account needs --athlete NAME (the athlete it is linked to)")
            if args.role == "coach" and args.squad is None:
                raise InputError("a coach needs --squad NAME[,NAME…] (the athletes of their squad)")
            if args.role != "athlete" and args.athlete is not None:
                raise InputError(f"--athlete is for athlete accounts; a {args.role} takes "
                                 + ("--squad" if args.role == "coach" else "no athletes"))
            if args.role != "coach" and args.squad is not None:
                raise InputError(f"--squad is for coaches; a{'n' if args.role[0] in 'aeiou' else ''} {args.role} takes "
                                 + ("--athlete" if args.role == "athlete" else "no athletes"))
            names = [args.athlete] if args.athlete else [n for n in (args.squad or "").split(",") if n.strip()]
            saved = store.add_user(CLI_VIEWER, args.email, args.role, names)
            covers = "every athlete" if saved.athletes is None else ", ".join(saved.athletes)
            print(f"saved {saved.email} as {saved.role} ({covers}); it takes effect on their next page run")
            return 0
        if args.action == "remove":
            if not store.remove_user(CLI_VIEWER, args.email):
                print(f"no user {args.email!r} (see: python -m analysis users list)", file=sys.stderr)
                return 1
            print(f"removed {args.email.strip().lower()}; their athlete's data stays")
            return 0
        users = store.users(CLI_VIEWER)
    if users.empty:
        print("no users yet: python -m analysis users add EMAIL --role athlete --athlete NAME "
              "(admins may also be named in the secrets: [core_cadence] admins)")
        return 0
    for row in users.itertuples(index=False):
        print(f"{row.email}  {row.role}  {', '.join(row.athletes) or 'every athlete'}")
    return 0


CLI_ADMIN_NOTE = ("This command line is an administrator's tool on the server: whoever can run it can read the "
                  "store file, so it sees and changes every athlete, whatever the app's accounts say.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Core & Cadence command line.",
                                     epilog=CLI_ADMIN_NOTE)
    sub = parser.add_subparsers(dest="command", required=True)
    read = sub.add_parser("read", help="read FIT/GPX files (or folders of them) and print one summary line each")
    read.add_argument("paths", nargs="+", help="activity files or folders (searched recursively for .fit/.gpx)")
    read.add_argument("--json", action="store_true", help="print one JSON object per file instead of key=value text")
    read.set_defaults(func=_cmd_read)

    def with_store(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--store", default=None, help="store folder (default: env CORE_CADENCE_STORE or data/)")
        return p

    ingest = with_store(sub.add_parser("ingest", help="import files, folders, .zip and .gz archives into the store"))
    ingest.add_argument("paths", nargs="+", help="FIT/GPX files, strength-log CSVs, folders, zips (nested ok), .gz")
    ingest.add_argument("--athlete", required=True, help="whose files these are (created when new)")
    ingest.add_argument("--workers", type=int, default=None, help="parallel readers (default: all cores)")
    ingest.add_argument("--timeout", type=float, default=60.0, help="seconds one file may take (default 60)")
    ingest.add_argument("--drop-positions", action="store_true",
                        help="store the runs without GPS positions (privacy: no maps for them; metrics unchanged)")
    ingest.add_argument("--skip-bad-rows", action="store_true",
                        help="import the good rows of a strength log with bad rows, and list the rows left out in "
                             "the report (default: such a log is refused, every bad row named)")
    ingest.add_argument("--on-overlap", choices=("hold", "replace", "keep"), default="hold",
                        help="a strength log whose dates overlap a stored log of the same athlete and app: hold = "
                             "store nothing and report it as 'overlaps', naming the stored file (default); "
                             "replace = delete the stored log's entries and store this one; keep = store both")
    ingest.set_defaults(func=_cmd_ingest)

    export = with_store(sub.add_parser("export", help="write runs, weekly and strength_log tables"))
    export.add_argument("--out", required=True, help="folder to write into (created when missing)")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--athlete", action="append", help="only this athlete (repeatable; default: all)")
    export.add_argument("--samples", action="store_true",
                        help="also write samples.csv: every stored sample of the runs, without GPS positions")
    export.add_argument("--positions", action="store_true",
                        help="with --samples: include GPS positions, hiding each run's start and end within the "
                             "store's privacy radius (default 200 m)")
    export.set_defaults(func=_cmd_export)

    with_store(sub.add_parser("athletes", help="list athletes with their runs and strength entries")).set_defaults(
        func=_cmd_athletes)

    remove = with_store(sub.add_parser("remove", help="delete an athlete, a run, or the sample club"))
    which = remove.add_mutually_exclusive_group(required=True)
    which.add_argument("--athlete", help="delete this athlete and everything of theirs")
    which.add_argument("--run", help="delete one run by its run_id (the file's SHA-256)")
    which.add_argument("--sample-club", action="store_true", help="delete every sample athlete")
    remove.set_defaults(func=_cmd_remove)

    recompute = with_store(sub.add_parser("recompute", help="recompute run metrics from stored samples"))
    recompute.add_argument("--set", action="append", metavar="NAME=VALUE",
                           help="change a metric setting first (see docs/metrics.md), e.g. late_start_fraction=0.8")
    recompute.set_defaults(func=_cmd_recompute)

    sample = with_store(sub.add_parser("sample", help="load the bundled synthetic sample club into the store"))
    sample.add_argument("--workers", type=int, default=None, help="parallel readers (default: all cores)")
    sample.set_defaults(func=_cmd_sample)

    exercises = sub.add_parser("exercises", help="your own exercise names: give a name a session type (map), "
                                                 "remove it (unmap), or list mappings and unrecognised names")
    actions = exercises.add_subparsers(dest="action", required=True)
    mapping = with_store(actions.add_parser("map", help="count an exercise name as a session type (stored "
                                                        "entries and later imports)"))
    mapping.add_argument("name", help="the exercise name as logged (case, brackets and plurals are ignored)")
    mapping.add_argument("session_type", metavar="TYPE", help="core, hip, mobility, strength or other")
    mapping.add_argument("--athlete", default=None, help="only for this athlete (default: the whole club)")
    unmapping = with_store(actions.add_parser("unmap", help="remove the mapping of an exercise name"))
    unmapping.add_argument("name", help="the exercise name")
    unmapping.add_argument("--athlete", default=None, help="this athlete's mapping (default: the club's)")
    with_store(actions.add_parser("list", help="the mappings, then the unrecognised names with entry counts"))
    exercises.set_defaults(func=_cmd_exercises)

    check_in = with_store(sub.add_parser(
        "check-in", help="log back soreness, strength work done and how hard a run felt; or --list / --delete ID"))
    check_in.add_argument("--athlete", help="whose check-in (must be in the store, unless --new-athlete)")
    check_in.add_argument("--new-athlete", action="store_true", help="create the athlete when the store has no one "
                                                                      "of that name (so a typo never makes a second)")
    check_in.add_argument("--date", help="YYYY-MM-DD (default: the day of --run, else today where the athlete is); "
                                         "never in the future")
    check_in.add_argument("--soreness", type=float, help="back soreness, 0 (no soreness) to 10 (worst imaginable)")
    check_in.add_argument("--note", help="a note about the back (or the day)")
    check_in.add_argument("--exercise", action="append", metavar="NAME[:SETSxREPS|:SECONDSs]",
                          help="an exercise done, e.g. 'dead bug:3x10', 'plank:3x45s', clamshell (repeatable); its "
                               "session type comes from the name (and your mappings)")
    check_in.add_argument("--run", action="append", metavar="RUN_ID",
                          help="a run of that day to rate (run_id from runs.csv; a unique prefix of 6+ characters is "
                               "enough; repeatable, each with its own --effort / --feel)")
    check_in.add_argument("--effort", action="append", type=float,
                          help="perceived effort of the --run, Borg CR10: 0 (nothing at all) to 10 (maximal)")
    check_in.add_argument("--feel", action="append", type=float,
                          help="how the --run felt, 0 (very weak) 25 (weak) 50 (normal) 75 (strong) 100 (very strong)")
    check_in.add_argument("--list", action="store_true", help="list check-ins (newest first) with their ids")
    check_in.add_argument("--days", type=int, default=None, help="with --list: only the last N days (default: all)")
    check_in.add_argument("--delete", metavar="ID", help="delete a check-in by id (see --list)")
    check_in.set_defaults(func=_cmd_check_in)

    watch = with_store(sub.add_parser(
        "watch", help="import new files of a folder as they appear (a folder your watch syncs to); --once for cron"))
    watch.add_argument("folder", help="the folder to watch (read recursively; linked folders are not followed)")
    watch.add_argument("--athlete", required=True, help="whose files these are")
    watch.add_argument("--new-athlete", action="store_true", help="create the athlete when the store has nobody "
                                                                   "of that name")
    watch.add_argument("--once", action="store_true", help="scan once and exit (run it from cron); a second run "
                                                           "imports only what is new")
    watch.add_argument("--interval", type=float, default=30.0, help="seconds between scans (default 30)")
    watch.add_argument("--settle", type=float, default=5.0,
                       help="a file changed less than this many seconds ago is left for the next scan (default 5)")
    watch.add_argument("--workers", type=int, default=1, help="parallel readers (default 1)")
    watch.set_defaults(func=_cmd_watch)

    users = sub.add_parser("users", help="club accounts: who may log in to the app with which role (add, list, "
                                         "remove)", epilog=CLI_ADMIN_NOTE)
    user_actions = users.add_subparsers(dest="action", required=True)
    add = with_store(user_actions.add_parser("add", help="add a user, or change one's role and athletes"))
    add.add_argument("email", help="the e-mail address the login provider verifies")
    add.add_argument("--role", required=True, choices=ROLES,
                     help="; ".join(f"{role}: {ROLE_HELP[role]}" for role in ROLES))
    add.add_argument("--athlete", help="with --role athlete: the athlete this account is")
    add.add_argument("--squad", metavar="NAME[,NAME…]", help="with --role coach: the athletes of the squad")
    with_store(user_actions.add_parser("list", help="every user with role and athletes"))
    remove_user = with_store(user_actions.add_parser("remove", help="remove a user (their data stays)"))
    remove_user.add_argument("email")
    users.set_defaults(func=_cmd_users)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
