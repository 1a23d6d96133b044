"""The preview's file watcher: the system's change notices (inotify, FSEvents, ReadDirectoryChanges)
instead of MkDocs' polling, which lists and stats every watched file twice a second.

With 5,000 records in cases/, MkDocs' poller spent a fifth of a core even while nobody typed, and
it holds Python's lock while it walks the folder: a rebuild after a save took 4–5 s in `mkdocs
serve` against 2.3 s for the same rebuild with no poller running (bench/results.md).

Some folders send no notices (a network share, a folder shared into a container or WSL from the
host): CASEBOOK_WATCH=poll keeps MkDocs' poller there, and a system that refuses more watches
(Linux's fs.inotify.max_user_watches) falls back to it with a warning."""

from __future__ import annotations

import logging
from typing import Any

from watchdog.events import (
    EventsLostEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch
from watchdog.observers.polling import PollingObserver

log = logging.getLogger("mkdocs.hooks.casebook")


# What a save looks like, written in place or by renaming a new file over the old. Not a file
# opened or closed unwritten: every build reads every record, and would set off the next build.
# EventsLostEvent: the system dropped notices, so a save may have gone unseen.
CHANGES: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileClosedEvent,
    EventsLostEvent,
]


class ChangeNotices(Observer):  # type: ignore[misc,valid-type]  # the system's own observer class
    """The system's observer, told of changes only, whoever schedules a path on it."""

    def schedule(
        self,
        event_handler: FileSystemEventHandler,
        path: Any,
        *,
        recursive: bool = False,
        event_filter: list[type[FileSystemEvent]] | None = None,
        follow_symlink: bool = False,
    ) -> ObservedWatch:
        return super().schedule(
            event_handler,
            path,
            recursive=recursive,
            event_filter=event_filter or CHANGES,
            follow_symlink=follow_symlink,
        )


def use_notices(server: Any, candidates: list[str]) -> str:
    """Move every path the preview server watches to an observer fed by the system's change
    notices; return which observer watches from now on ("notices" or "polling").

    Called from MkDocs' on_serve, before the server starts its observer. By then MkDocs has
    scheduled some of `candidates` (docs/, mkdocs.yml, the theme's folders when it watches them):
    those move over, and the paths it adds afterwards (mkdocs.yml's `watch:`) go to the new
    observer directly. Only public names are used: the server's `observer`, `watch` and
    `unwatch`, and watchdog's `emitters`. Should MkDocs watch anything else, or watch a path
    twice, everything stays with its poller: a save must never go unseen."""
    polling = server.observer
    native = ChangeNotices()
    if isinstance(native, PollingObserver):  # this system has no notices: nothing to gain
        return "polling"
    paths: list[str] = []
    for path in dict.fromkeys(candidates):
        try:
            server.unwatch(path)
        except KeyError:  # not watched
            continue
        paths.append(path)
    if polling.emitters:
        for path in paths:
            server.watch(path)
        return "polling"
    server.observer = native
    moved: list[str] = []
    try:
        for path in paths:
            server.watch(path)
            moved.append(path)
    except OSError as exc:  # e.g. inotify's limit on watches: back to polling, every path
        for path in moved:
            server.unwatch(path)
        server.observer = polling
        for path in paths:
            server.watch(path)
        log.warning("casebook: 系统的文件变动通知不可用（%s），预览改为定时扫描文件（较慢）", exc)
        return "polling"
    return "notices"
