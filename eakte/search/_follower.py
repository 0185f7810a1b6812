"""A thread that keeps the index in step with the database (in ``serve`` and ``watch``).

Only one process can hold the index writer. A second ``eakte watch`` on the
same installation finds the index locked and stands by, trying again later.
"""

from __future__ import annotations

import logging
import threading

from eakte.exceptions import EakteError
from eakte.records import Records

from ._indexer import SearchIndexer

log = logging.getLogger(__name__)

INTERVAL = 1.0
STANDBY = 30.0


class IndexFollower:
    def __init__(self, records: Records, interval: float = INTERVAL) -> None:
        self.indexer = SearchIndexer(records)
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="search-index", daemon=True)

    def start(self) -> IndexFollower:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        pause = self.interval
        while not self._stop.is_set():
            try:
                count = self.indexer.sync()
                if count:
                    log.info("Search index: %d documents indexed", count)
                pause = self.interval
            except EakteError as e:
                log.warning("Search index not updated (trying again in %.0f s): %s", STANDBY, e)
                self.indexer.close()
                pause = STANDBY
            except Exception:  # a bug: keep serving, say so loudly
                log.exception("Search indexing failed")
                self.indexer.close()
                pause = STANDBY
            self._stop.wait(pause)
        self.indexer.close()
