"""One SessionPlan per session folder: which lists it has, their lines and their evidence.

Reads files only (never writes to the share); every unreadable file becomes a problem of the
report and the plan goes on with what the other files prove.
"""

from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from profiles.normalize import normalize_order_number
from sessions.imports.specs import OrderSpec
from sessions.legacy import evidence as evi
from sessions.legacy import share, sources
from sessions.legacy.jsonio import read_json_or_none
from sessions.legacy.report import rel
from sessions.legacy.timestamps import folder_time, parse_ts
from sessions.legacy.tree import is_ignored_file
from sessions.legacy.union import build_list

FULL_SESSION = "full_session"


@dataclass
class SessionPlan:
    client: str
    external_id: str
    shape: str
    rel_path: str
    created_at: object
    info: dict = field(default_factory=dict)
    lists: list = field(default_factory=list)
    error: str = ""


class SessionRejected(Exception):
    """The whole session cannot be imported (e.g. two orders collide); nothing is written."""


def _run_evidence(folder, names, tz, problems, report):
    """Evidence of one run from the files named (relative to `folder`), oldest first.

    A sub-folder that cannot be read (barcodes/, reports/) is reported and the run's other
    files are used, as for any unreadable file."""
    ev = evi.RunEvidence()
    blocked = {sub for sub in {n.split("/")[0] for n in names if "/" in n}
               if share.is_dir(folder / sub, problems)
               and not share.listable(folder / sub, problems,
                                      what="the run's other files were used")}
    attempted = 0
    for name in names:
        path = folder / name
        if name.split("/")[0] in blocked or not share.is_file(path, problems):
            continue
        attempted += 1
        if name.endswith(".xlsx"):
            evi.read_report(path, ev, tz, problems)
        elif "summary" in name:
            evi.read_summary(path, ev, tz, problems)
        else:
            evi.read_state(path, ev, tz, problems)
    ev.unreadable = attempted > 0 and not ev.variants
    lock = folder / ".session.lock"
    if share.is_file(lock, problems):
        ev.lock = evi.read_lock(lock, tz, problems)
        report.lock(lock, ev.lock)
    return ev


UNREAD_RUN = ("none of the files of this packing run could be read, so how far it was packed "
              "cannot be known: {what} was not imported (a later run adds it)")


def _basename(path_text):
    """File name of a path written on a Windows PC or under /srv (never opened from there)."""
    text = str(path_text or "")
    return PureWindowsPath(text).name if "\\" in text else Path(text).name


def _child(folder, name, problems):
    """Case-insensitive lookup of a sub-folder (the share was SMB); a file in its place is
    reported and ignored."""
    direct = folder / name
    if share.is_dir(direct, problems, expected=True):
        return direct
    for p in share.entries(folder, problems):
        if p.name.lower() == name.lower() and p.name != name \
                and share.is_dir(p, problems, expected=True):
            return p
    return None




def _checked(source, folder):
    problem = sources.check_collisions(source)
    if problem:
        raise SessionRejected(f"{source.path or folder}: {problem}")
    return source


def plan_shopify(sf, ctx):
    """The lists of a Shopify session; a list whose packing folder cannot be read is reported
    and left out (a later run adds it), the other lists are planned."""
    folder, tz, problems = sf.path, ctx.tz, ctx.problems
    info = read_json_or_none(folder / "session_info.json", problems) or {}
    created = parse_ts(info.get("created_at"), tz) or folder_time(sf.name, tz) or ctx.now
    plan = SessionPlan(client=sf.client, external_id=sf.name, shape="shopify",
                       rel_path=rel(folder, sf.tree.root.parent), created_at=created)
    plan.info = {"shape": "shopify", "tree": sf.tree.era,
                 "session_info": {k: v for k, v in info.items() if k != "packing_progress"},
                 "packing_progress": info.get("packing_progress") or {}}
    lists_dir = _child(folder, "packing_lists", problems)
    packing_dir = _child(folder, "packing", problems)
    names = {}
    if lists_dir:
        files = share.entries(lists_dir, problems,
                              what="lists without a packing folder were not imported")
        for p in files:
            if p.suffix == ".json" and not p.name.startswith(".") \
                    and not is_ignored_file(p.name):
                names.setdefault(p.stem, {"json": p})
        for p in files:
            if p.suffix == ".xlsx" and p.stem not in names:
                plan.info.setdefault("lists_without_json", []).append(p.name)
    if packing_dir:
        if not share.listable(packing_dir, problems, what="no list of this session was "
                              "imported: how far each was packed cannot be known"):
            raise SessionRejected(f"{packing_dir}: folder cannot be read")
        for p in share.entries(packing_dir, problems):
            if not p.name.startswith(".") and share.is_dir(p, problems):
                names.setdefault(p.name, {})["work"] = p
    old_full = _child(folder, "packing_full_session", problems)
    if old_full:
        names.setdefault(FULL_SESSION, {}).setdefault("work", old_full)
    for position, (name, where) in enumerate(sorted(names.items())):
        work = where.get("work")
        ev = None
        if work:
            if not share.listable(work, problems, what=f"list {name} was not imported: how far "
                                  "it was packed cannot be known (a later run adds it)"):
                continue
            ev = _run_evidence(work, ["barcodes/packing_state.json.backup",
                                      "barcodes/packing_state.json", "packing_state.json",
                                      "barcodes/session_summary.json", "session_summary.json",
                                      "reports/packing_completed.xlsx"], tz, problems, ctx.report)
            if ev.unreadable:
                problems.add(work, UNREAD_RUN.format(what=f"list {name}"))
                continue
        source = None
        if "json" in where:
            source = sources.from_json(where["json"], problems)
        elif name == FULL_SESSION:
            analysis = folder / "analysis" / "analysis_data.json"
            source = sources.from_json(analysis, problems, kind="analysis")
        if source is None and ev is not None and ev.report_rows is not None:
            source = sources.from_xlsx(ev.report_path, problems, kind="report",
                                       table=(ev.report_headers, ev.report_rows))
        if source is None:
            source = sources.ListSource(kind="state")
            if work:
                problems.add(work, "the packing list file is missing or unreadable; orders were "
                                   "rebuilt from the packing state only")
        _checked(source, folder)
        lp = build_list(name, position, source, ev, fallback_time=_fallback(ev, created))
        if not lp.orders:
            problems.add(work or where.get("json") or folder,
                         "no orders could be found for this list; not imported")
            continue
        plan.lists.append(lp)
    return plan


def _fallback(ev, created):
    if ev is not None:
        return ev.ended_at or ev.last_updated or ev.started_at or created
    return created


def _excel_source(folder, ev, list_file, info, ctx):
    """Lines of an Excel session: completed report → --lists-dir → analysis JSON → none."""
    problems = ctx.problems
    if ev.report_rows is not None:
        src = sources.from_xlsx(ev.report_path, problems, kind="report",
                                table=(ev.report_headers, ev.report_rows))
        if src is not None:
            return src
    if ctx.lists_dir and list_file:
        candidates = [ctx.lists_dir / list_file] + sorted(
            p for p in ctx.lists_dir.rglob("*") if p.name.lower() == list_file.lower())
        for cand in candidates:
            if share.is_file(cand, problems):
                src = sources.from_xlsx(cand, problems, kind="excel")
                if src is not None:
                    return src
    path_text = str(info.get("packing_list_path") or "")
    if path_text.lower().endswith("analysis_data.json"):  # E2 "analysis" flow (§4.2)
        parts = PureWindowsPath(path_text).parts if "\\" in path_text else Path(path_text).parts
        if len(parts) >= 3:
            sibling = folder.parent / parts[-3] / "analysis" / "analysis_data.json"
            if share.is_file(sibling, problems):
                return sources.from_json(sibling, problems, kind="analysis")
    reason = (f"the original Excel list {list_file!r} is not on the share"
              if list_file else "the original Excel list is unknown")
    reason += ("" if ctx.lists_dir else "; run again with --lists-dir to complete its lines and "
                                        "units (an untouched list is then replaced)")
    problems.add(folder, reason + " — only order numbers (from the state and labels) and "
                                  "in-progress lines were imported")
    src = sources.ListSource(kind="state")
    return src


def plan_excel(sf, ctx):
    folder, tz, problems = sf.path, ctx.tz, ctx.problems
    info = read_json_or_none(folder / "session_info.json", problems) or {}
    reports = sorted(p.name for p in folder.glob("*_completed.xlsx") if not p.name.startswith("."))
    ev = _run_evidence(folder, ["barcodes/packing_state.json.backup",
                                "barcodes/packing_state.json", "session_summary.json",
                                "barcodes/session_summary.json"] + reports, tz, problems,
                       ctx.report)
    if ev.unreadable:
        raise SessionRejected(UNREAD_RUN.format(what="the session"))
    created = folder_time(sf.name, tz) or parse_ts(info.get("started_at"), tz) or ctx.now
    list_file = _basename(info.get("packing_list_path")
                          or (ev.summary or {}).get("packing_list_path") or "")
    if reports:
        name = reports[0][: -len("_completed.xlsx")]
        list_file = list_file or f"{name}.xlsx"
    else:
        name = Path(list_file).stem if list_file else "packing_list"
    plan = SessionPlan(client=sf.client, external_id=sf.name, shape="excel",
                       rel_path=rel(folder, sf.tree.root.parent), created_at=created)
    plan.info = {"shape": "excel", "tree": sf.tree.era, "session_info": info,
                 "original_list": list_file, "open_in_old_app": bool(info)}
    source = _excel_source(folder, ev, list_file, info, ctx)
    if source.kind == "state":
        known = set(ev.completed) | set(ev.in_progress) | set(ev.skipped)
        barcodes = _child(folder, "barcodes", problems)
        for png in sorted(barcodes.glob("*.png")) if barcodes else []:
            if normalize_order_number(png.stem) not in known \
                    and not png.stem.startswith("unnamed_"):
                source.orders.append(OrderSpec(
                    number=png.stem, metadata={"legacy": {"known_from_label_only": True}}))
    _checked(source, folder)
    ev.started_at = ev.started_at or parse_ts(info.get("started_at"), tz)
    ev.pc_name = ev.pc_name or str(info.get("pc_name") or "")
    lp = build_list(name, 0, source, ev, fallback_time=_fallback(ev, created))
    if lp.orders:
        plan.lists.append(lp)
    else:
        problems.add(folder, "no orders could be found in this session; not imported")
    return plan


def plan_session(sf, ctx):
    return plan_shopify(sf, ctx) if sf.shape == "shopify" else plan_excel(sf, ctx)
