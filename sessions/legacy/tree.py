"""Finding what is on a share: its trees, client folders and session folders.

A share root is either a tree itself (`Clients/ Sessions/ …` or the E1 `CLIENTS/ SESSIONS/ …`,
matched case-insensitively), or a folder holding such trees (e.g. `0UFulfilment/` and
`2Packing-tool/`). When both eras are present the E2+ copy of a session folder wins and the E1
tree only adds folders missing from it (legacy-formats.md §17.1).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from sessions.legacy import share
from sessions.legacy.timestamps import EXCEL_SESSION_RE, SHOPIFY_SESSION_RE

TREE_DIRS = ("clients", "sessions", "stats", "workers")
# Never data (legacy-formats.md §16, checklist item 1).
IGNORED_FILE_RE = re.compile(
    r"(\.tmp$|_tmp_|^\.tmp_state_|^tmp.*\.json$|\.json\.lock$|^registry_index\.json$"
    r"|^session_index\.json$|^\.session_browser_cache\.json$|^\.connection_test$|\.ignored$)"
)


def is_ignored_file(name):
    return bool(IGNORED_FILE_RE.search(name))


def _child_dirs(path, problems):
    return {p.name.lower(): p for p in share.subdirs(path, problems)}


@dataclass
class Tree:
    root: Path
    era: str  # "E1" (2Packing-tool, upper-case) or "E2" (0UFulfilment and later)
    dirs: dict = field(default_factory=dict)

    def get(self, name):
        return self.dirs.get(name)


def find_trees(paths, problems):
    """The trees under the given roots, E2+ trees first."""
    trees = []
    for raw in paths:
        path = Path(raw)
        candidates = [path] + sorted(_child_dirs(path, problems).values())
        for cand in candidates:
            dirs = {k: v for k, v in _child_dirs(cand, problems).items() if k in TREE_DIRS}
            if "sessions" not in dirs and "clients" not in dirs:
                continue
            named = dirs.get("sessions") or dirs.get("clients")
            era = "E1" if named.name.isupper() and "workers" not in dirs else "E2"
            trees.append(Tree(root=cand, era=era, dirs=dirs))
            if cand == path:
                break
    trees.sort(key=lambda t: (t.era != "E2", str(t.root)))
    return trees


def client_folders(base, problems):
    """{client code: folder} of `CLIENT_*` sub-folders of `base` (the code is upper-cased)."""
    out = {}
    if base is None:
        return out
    for _name, path in sorted(_child_dirs(base, problems).items()):
        if path.name.upper().startswith("CLIENT_") and len(path.name) > 7:
            out.setdefault(path.name[7:].upper(), path)
    return out


@dataclass
class SessionFolder:
    client: str
    name: str
    path: Path
    tree: Tree
    shape: str  # "shopify" (Shape B) or "excel" (Shape A)


def classify(path, problems):
    """Shape of a session folder (§17.2): "shopify", "excel", or None (not a session)."""
    name = path.name
    if name.startswith(".") or not share.is_dir(path, problems):
        return None
    if SHOPIFY_SESSION_RE.match(name) or any(share.is_dir(path / sub, problems)
                                             for sub in ("packing_lists", "packing", "analysis")):
        return "shopify"
    if EXCEL_SESSION_RE.match(name) or share.is_dir(path / "barcodes", problems) \
            or any(path.glob("*_completed.xlsx")):
        return "excel"
    return None


def session_folders(trees, problems):
    """Every session folder of every client; an E1 copy only when E2+ lacks that folder.
    A client folder that cannot be listed is reported (and its sessions left for a later run)."""
    seen = {}
    for tree in trees:
        for code, cdir in client_folders(tree.get("sessions"), problems).items():
            for path in share.entries(cdir, problems):
                if path.name.startswith(".") or not share.is_dir(path, problems):
                    continue
                shape = classify(path, problems)
                if shape is None:
                    if not path.name.startswith("OrdersFulfillment_"):
                        problems.add(path, "not a session folder of a known shape; skipped")
                    else:
                        problems.add(path, "E0 local session folder; not imported")
                    continue
                key = (code, path.name)
                if key in seen:
                    continue  # E2+ tree came first: its copy may have been resumed later
                seen[key] = SessionFolder(code, path.name, path, tree, shape)
    return list(seen.values())
