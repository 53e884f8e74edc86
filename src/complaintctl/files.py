"""Writing the files that hold people's data: whole or not at all, for their owner only, and
never over the store or through a link.

Every file the tool writes (an export, an import's rejects, a backup) is made new beside its
destination under a name no one can guess, readable by its owner only (0600), written, synced,
and only then moved into place. A destination that is a link, that exists (unless --force), or
that is the store or one of its journal files is refused. While a file is being written, its
temporary name is noted in the user's state folder; a run killed part-way leaves the note, and
the next run that opens a store (or writes a file) removes the temporary file it names.

Pure Python and the standard library (and platformdirs, for the state folder).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, cast

from complaintctl.errors import InvalidInput, OutputFailed

PARTIAL = ".partial"
# The temporary files this module makes, and nothing else, are what clean-up may remove.
# (A name may hold any character but "/" and NUL, a newline too: DOTALL, and \Z, not $.)
_OURS = re.compile(r"\A\..+\.[0-9a-f]{16}\.partial(-journal|-wal|-shm)?\Z", re.DOTALL)
# The files this run has put in place, so that an error after them (its output failing, an
# interrupt) says they are there to keep, rather than letting them pass for not written.
placed: list[Path] = []


def _pending_folder() -> Path:
    from platformdirs import user_state_path

    return user_state_path("complaintctl", appauthor=False) / "pending"


def file_named(text: str, what: str) -> None:
    """Refuse `-` or nothing where `what` (an option, a command) writes a file of its own:
    elsewhere `-` is stdout, and a store, its copy or a page is never a stream."""
    if text.strip() in ("", "-"):
        raise InvalidInput(f"{what} writes a file: name it ({text!r} is not one)")
    if text.endswith((os.sep, "/")):  # a path would drop the slash, and write a file so named
        folder = os.path.abspath(os.path.expanduser(text))
        raise OutputFailed(f"{folder}{os.sep} is a folder; name a file in it")  # exit 12


def forced_with(force: bool, path: str | None, option: str) -> None:
    """Refuse --force where no file is named for it to replace (`path` None: stdout, or no
    file at all): ignored, a script would believe it had replaced one."""
    if force and path is None:
        raise InvalidInput(
            f"--force replaces the file {option} names, and none is named: give {option} "
            "FILE, or leave --force out"
        )


def recorded_name(path: Path) -> str:
    """The name of `path` (without its folder) as the history records it: a name is bytes
    and need not be UTF-8 (`caf\\xe9.csv` in Latin-1), where the store holds text only, so a
    byte that is not is written out as `\\xe9`."""
    return os.fsencode(path.name).decode("utf-8", "backslashreplace")


def failed(path: Path, err: OSError) -> OutputFailed:
    """An error writing `path`, in one line."""
    return OutputFailed(f"cannot write {path}: {err.strerror or err}")


def resolved(path: str | os.PathLike[str]) -> Path:
    """`path` as a message names it and the tool writes it: `~` (and `~user`, where there is
    such a user) expanded, then made absolute; `~nobody-here` is left as it is, as the shell
    leaves it."""
    return Path(os.path.abspath(os.path.expanduser(path)))


def check_destination(
    path: Path, *, force: bool | None, protected: Iterable[Path] = (), streams: bool = True
) -> Path:
    """`path` made absolute, if a new file may be put there: not a link, not a folder, not the
    store or its journals (by real path and by inode), and not an existing file unless
    `force` (None: never, whatever is asked). The folder must exist: a path is not a reason to
    make folders. `streams`: whether what is written could go to stdout instead (a store, its
    copy or a page never does), as the refusal of a device or a pipe then advises."""
    target = resolved(path)
    try:
        if target.is_symlink():
            raise InvalidInput(f"{target} is a symbolic link; name the file itself")
        if target.is_dir():
            raise OutputFailed(f"{target} is a folder; name a file")  # exit 12, as documented
        for guarded in protected:
            if same_file(target, guarded):
                raise InvalidInput(f"{target} is the store ({guarded}); name another file")
        if target.exists() and not target.is_file():
            advice = (
                "to write to a device or a pipe, write to stdout and redirect it"
                if streams
                else "name a new file"
            )
            raise InvalidInput(f"{target} is not a regular file; {advice}")
        if target.exists() and not force:
            hint = "" if force is None else ", or use --force"
            raise InvalidInput(f"{target} exists already: name a new file{hint}")
        if not target.parent.is_dir():
            if target.parent.exists():  # `-o cases.csv/out.csv`: no folder, but a file of that name
                raise InvalidInput(
                    f"{target.parent} is a file, not a folder to write {target.name} in"
                )
            raise InvalidInput(f"no folder {target.parent} to write {target.name} in")
    except OSError as err:  # a name too long, a folder that cannot be entered, …
        raise failed(target, err) from None
    return target


def same_file(target: Path, guarded: Path) -> bool:
    """Whether the two paths name one file: by real path, or by device and inode (a hard
    link). A path that is not there is no file."""
    if os.path.realpath(target) == os.path.realpath(guarded):
        return True
    try:
        mine, theirs = target.stat(), guarded.stat()
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino)


def is_stdin(target: Path) -> bool:
    """Whether `target` is the file stdin reads (`import - < FILE`), by device and inode:
    stdin that is a pipe, a terminal or no file at all is no file it could be."""
    try:
        theirs = os.fstat(sys.stdin.fileno())
        mine = target.stat()
    except (OSError, ValueError, AttributeError):  # no descriptor (a test's stdin), or no file
        return False
    return stat.S_ISREG(theirs.st_mode) and (mine.st_dev, mine.st_ino) == (
        theirs.st_dev,
        theirs.st_ino,
    )


class NewFile:
    """A file being written beside its destination, moved into place by `place()`."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.placed = False  # given its name (place)
        self.partial = _partial_name(target)
        self._note = _note_pending(self.partial)
        try:
            # O_EXCL: a file or link already at the name is refused, never followed.
            self._fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as err:
            _forget(self._note)
            raise failed(target, err) from None

    def text(self) -> IO[str]:
        """The file as a UTF-8 text stream (closing it closes the file)."""
        return os.fdopen(self._fd, "w", encoding="utf-8", newline="")

    def write(self, data: bytes) -> NewFile:
        """Write all of `data` and close the file; place() it or discard() it after."""
        try:
            with os.fdopen(self._fd, "wb") as stream:
                stream.write(data)
        except OSError as err:
            self.discard()
            raise failed(self.target, err) from None
        return self

    def write_text(self, write: Callable[[IO[str]], object]) -> str:
        """Write the file as UTF-8 text by `write` and close it; the SHA-256 of its bytes.
        place() it or discard() it after."""
        try:
            with self.text() as stream:
                digesting = Digesting(stream)
                write(digesting.stream())
            return digesting.hexdigest()
        except OSError as err:
            self.discard()
            raise failed(self.target, err) from None

    def hand_over(self) -> Path:
        """Close the file for another writer to open by its name (SQLite's backup); the name."""
        os.close(self._fd)
        return self.partial

    def place(self, *, replace: bool = True) -> None:
        """Sync the written file and give it its name (replacing a file there only when
        `replace`: a backup never does)."""
        try:
            _sync(self.partial)
            # In place from the rename or link on, whatever comes next (an interrupt while
            # the folder is synced): a caller that takes it away asks `placed`, never whether
            # place() returned.
            if replace:
                os.replace(self.partial, self.target)
                self.placed = True
            else:
                os.link(self.partial, self.target)
                self.placed = True
                os.unlink(self.partial)
            placed.append(self.target)
            with suppress(OSError):  # some file systems cannot sync a folder
                _sync(self.target.parent)
        except FileExistsError:
            raise InvalidInput(f"{self.target} exists already: name a new file") from None
        except OSError as err:
            raise failed(self.target, err) from None
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove what is left of the temporary file (and SQLite's journals beside it)."""
        _remove_partial(self.partial)
        _forget(self._note)


class Digesting:
    """Text written on to `stream`, keeping the SHA-256 of its UTF-8 bytes: what a file opened
    with newline="" (or stdout, which translates no line ends on POSIX) holds."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._sha256 = hashlib.sha256()

    def write(self, text: str) -> int:
        self._sha256.update(text.encode("utf-8"))
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        """Whether a person reads what is written (text.write_csv asks): as its stream says."""
        return self._stream.isatty()

    def stream(self) -> IO[str]:
        """Itself, as the text stream the writers take (they write, and ask `isatty`)."""
        return cast(IO[str], self)

    def hexdigest(self) -> str:
        return self._sha256.hexdigest()


@contextmanager
def new_text_file(
    path: Path, *, force: bool = False, protected: Iterable[Path] = (), streams: bool = True
) -> Iterator[IO[str]]:
    """A text stream onto a new file at `path`, put in place only if the block ends without an
    error; otherwise nothing is left behind, and whatever was at `path` stays as it was."""
    target = check_destination(path, force=force, protected=protected, streams=streams)
    new = NewFile(target)
    try:
        try:
            with new.text() as stream:
                yield stream
        except OSError as err:
            raise failed(target, err) from None
        new.place()
    finally:
        new.discard()


def check_writable(
    path: Path,
    *,
    force: bool | None = None,
    protected: Iterable[Path] = (),
    streams: bool = True,
    replace: bool = True,
) -> Path:
    """`path` made absolute, if the real run could put a new file there: what a dry run
    checks in place of writing, so that it refuses what the real run would, with the same
    error. Beyond check_destination (a file there, no folder, a folder, a link, a device, the
    store), it takes the real run's first step and undoes it at once: its temporary file made
    beside `path` by the same scheme of names and removed, and, where the real run links the
    file into place (`replace` False: a letter), a second such name linked to it and removed.
    So what refuses the real run there refuses this too, which asking access() did not: a
    name leaving no room for the longer temporary one, a file system that takes no new file
    even from root (/proc, /sys) or no hard link (FAT), a folder we may not write in. Nothing
    is left behind (a run killed in between leaves a note, as the real run's would)."""
    target = check_destination(path, force=force, protected=protected, streams=streams)
    new = NewFile(target)
    try:
        made = new.hand_over()  # closed: nothing is written in it
        if not replace:
            twin = _partial_name(target)
            note = _note_pending(twin)
            try:
                os.link(made, twin)
            except OSError as err:
                raise failed(target, err) from None
            finally:
                _remove_partial(twin)
                _forget(note)
    finally:
        new.discard()
    return target


def staged(
    path: Path,
    data: bytes,
    *,
    force: bool | None = None,
    protected: Iterable[Path] = (),
    streams: bool = True,
) -> NewFile:
    """`data` written whole beside `path`, for the caller to place() once what it records is
    committed, or to discard(). Never over a file that is there (`force` None: a letter has
    no --force to offer). `streams`: as check_destination takes it (a person's data never
    goes to stdout, a letter may)."""
    target = check_destination(path, force=force, protected=protected, streams=streams)
    return NewFile(target).write(data)


def _partial_name(target: Path) -> Path:
    """A new temporary name beside `target`, as no one can guess it (and clean-up knows it)."""
    return target.with_name(f".{target.name}.{secrets.token_hex(8)}{PARTIAL}")


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_partial(partial: Path) -> None:
    for name in (partial, *(Path(f"{partial}{end}") for end in ("-journal", "-wal", "-shm"))):
        with suppress(FileNotFoundError):
            if _OURS.match(name.name) and not name.is_symlink():
                name.unlink()


# -- notes of files being written, for clean-up after a kill ------------------------------


def _note_pending(partial: Path) -> Path | None:
    """Note that this process is writing `partial`; None where there is nowhere to note it
    (the clean-up after a kill is then lost, the file itself is not)."""
    folder = _pending_folder()
    try:
        # Each folder made for its owner only, not just the innermost (mkdir's parents= are
        # 0755): a note names the file being written, which may name a person.
        for made in [f for f in (*reversed(folder.parents), folder) if not f.exists()]:
            made.mkdir(exist_ok=True, mode=0o700)
        note = folder / f"{os.getpid()}-{secrets.token_hex(4)}"
        # As the file system names it: a name need not be UTF-8 (`-o $'caf\xe9.pdf'`).
        with open(note, "xb") as written:
            written.write(os.fsencode(partial))
    except OSError:
        return None
    return note


def _forget(note: Path | None) -> None:
    if note is not None:
        with suppress(OSError):
            note.unlink()


def clean_after_kills() -> None:
    """Remove the temporary files that runs killed part-way left behind (their process is gone),
    and the notes that name them."""
    folder = _pending_folder()
    try:
        notes = list(folder.iterdir())
    except OSError:
        return
    for note in notes:
        pid = note.name.split("-", 1)[0]
        if not pid.isdecimal() or _running(int(pid)):
            continue
        with suppress(OSError):
            partial = Path(os.fsdecode(note.read_bytes().strip()))
            if partial.is_absolute():
                _remove_partial(partial)
        _forget(note)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError as err:
        return err.errno != errno.ESRCH
    return True
