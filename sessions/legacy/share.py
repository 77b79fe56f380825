"""Looking at the share without trusting it: listing folders, testing and reading files.

A warehouse share is old, copied around and sometimes damaged: a folder nobody may list, a
folder where a file should be (or the reverse), a symbolic link that leads somewhere else
entirely, a file far larger than the old apps ever wrote. Every look at the share goes through
here, and whatever cannot be used becomes a problem of the report (its path and the reason),
never an exception that stops the run:

- a folder that cannot be listed, or a file that cannot be opened, is reported;
- a symbolic link (or a path through one) that leads outside the share's roots and --lists-dir
  is reported and not followed (`Problems.roots`); links inside the share are followed;
- a file larger than PACKER_LEGACY_MAX_FILE_BYTES is reported and not read (a 200 MB state
  file took the import to 2.1 GB; the largest real one is a few MB).
"""

import os
from pathlib import Path

from django.conf import settings


class Unreadable(Exception):
    """A file that exists but cannot be used; `reason` is what the report shows."""

    def __init__(self, path, reason):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def _why(exc):
    return exc.strerror or exc.__class__.__name__


def _roots(problems):
    roots = getattr(problems, "roots", None) or ()
    return [Path(os.path.realpath(root)) for root in roots]


def leads_outside(path, problems):
    """True (and a problem) when `path` resolves outside the share through a symbolic link."""
    roots = _roots(problems)
    if not roots:
        return False
    real = Path(os.path.realpath(path))
    if any(real == root or root in real.parents for root in roots):
        return False
    problems.add(path, f"symbolic link leads outside the share (to {real}); not followed")
    return True


def _stat_mode(path, problems):
    """(is a folder, is a file) of `path`, or None when it does not exist or cannot be
    reached (the latter reported)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return None
    except OSError as exc:
        problems.add(path, f"cannot be read ({_why(exc)})")
        return None
    if leads_outside(path, problems):
        return None
    import stat

    return stat.S_ISDIR(mode), stat.S_ISREG(mode)


def is_dir(path, problems, *, expected=False):
    """Is `path` a folder of the share? `expected`: a file in its place is reported."""
    kind = _stat_mode(path, problems)
    if kind is None:
        return False
    if expected and not kind[0]:
        problems.add(path, "is a file, not a folder; ignored")
    return kind[0]


def is_file(path, problems):
    """Is `path` a file of the share? A folder (or anything else) in its place is reported."""
    kind = _stat_mode(path, problems)
    if kind is None:
        return False
    if not kind[1]:
        problems.add(path, "is a folder, not a file; ignored" if kind[0]
                     else "is not a regular file; ignored")
    return kind[1]


def entries(folder, problems, *, what="its contents were not imported"):
    """The entries of `folder`, sorted by name; [] (and a problem) when it cannot be listed.
    Entries that are links leading outside the share are reported and left out."""
    try:
        names = sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        problems.add(folder, f"folder cannot be read ({_why(exc)}); {what}")
        return []
    out = []
    for name in names:
        path = Path(folder) / name
        if os.path.islink(path) and leads_outside(path, problems):
            continue
        out.append(path)
    return out


def listable(folder, problems, *, what):
    """Can `folder` be listed? When not, the problem says `what` that means."""
    try:
        os.listdir(folder)
    except OSError as exc:
        problems.add(folder, f"folder cannot be read ({_why(exc)}); {what}")
        return False
    return True


def subdirs(folder, problems):
    return [p for p in entries(folder, problems) if is_dir(p, problems)]


def read_bytes(path, problems):
    """The bytes of a share file; Unreadable (not recorded) when it cannot or must not be read."""
    path = Path(path)
    if leads_outside(path, problems):
        raise Unreadable(path, "symbolic link leads outside the share; not followed")
    limit = settings.PACKER_LEGACY_MAX_FILE_BYTES
    try:
        size = os.stat(path).st_size
        if size > limit:
            raise Unreadable(path, f"the file is {size / 1e6:.1f} MB, larger than the "
                                   f"{limit / 1e6:.2f} MB any file of the old apps can be "
                                   f"(PACKER_LEGACY_MAX_FILE_BYTES); not read")
        with open(path, "rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        raise Unreadable(path, f"cannot be read: {_why(exc)}") from exc
