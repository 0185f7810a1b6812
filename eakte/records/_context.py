"""The records context: settings, database, object store, keys and audit log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from eakte.config import Settings
from eakte.db import READ_ONLY_OPTION, create_db_engine, make_sessionmaker
from eakte.exceptions import DatabaseError, EakteError
from eakte.models import SigningKey
from eakte.signing import AuditLog, KeyRing, open_keyring
from eakte.signing._audit import APPENDED
from eakte.storage import ObjectKind, ObjectStore, open_store

log = logging.getLogger(__name__)
APPEND_ONLY = "is append-only"  # the message of the schema's guards (migration 0002)


class Records:
    """Everything a records service needs; one per process (or per test)."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine | None = None,
        store: ObjectStore | None = None,
        keyring: KeyRing | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine or create_db_engine(settings.resolved_database_url)
        self.sessions = make_sessionmaker(self.engine)
        read_options: dict[str, object] = {READ_ONLY_OPTION: True}
        if self.engine.dialect.name == "postgresql":  # one snapshot per read unit of work
            read_options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        self.read_sessions = make_sessionmaker(self.engine.execution_options(**read_options))
        self._store = store
        self._keyring = keyring
        self.audit = AuditLog(
            self.keyring,
            lambda: self.store,
            settings.audit_checkpoint_every,
            settings.audit_checkpoint_seconds,
        )

    @property
    def store(self) -> ObjectStore:
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store

    def keyring(self) -> KeyRing:
        if self._keyring is None:
            self._keyring = open_keyring(self.settings)
        return self._keyring

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error."""
        try:
            with self.sessions.begin() as session:
                yield session
            if session.info.get(APPENDED):
                self._checkpoint_after_commit()
        except OperationalError as exc:
            raise DatabaseError(
                f"Database error ({exc.orig}). Check EAKTE_DATABASE_URL and run `eakte db upgrade`."
            ) from exc
        except DBAPIError as exc:
            reason = str(exc.orig).splitlines()[0]
            if APPEND_ONLY in reason:
                raise DatabaseError(f"The database refused the change ({reason}).") from exc
            if isinstance(exc, IntegrityError):
                raise DatabaseError(
                    f"The change conflicts with existing data or a concurrent change ({reason}). "
                    "Reload and try again."
                ) from exc
            raise

    def _checkpoint_after_commit(self) -> None:
        """Sign the committed chain head when due; a failure here loses nothing."""
        try:
            with self.reading() as session:  # cheap check without the write lock
                if not self.audit.checkpoint_due(session):
                    return
            with self.sessions.begin() as session:
                if self.audit.checkpoint_due(session):
                    self.audit.checkpoint(session)
        except (EakteError, OSError, DBAPIError) as exc:
            log.warning("Audit checkpoint postponed (%s); the next change will sign it.", exc)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work: never takes a write lock, never commits."""
        try:
            with self.read_sessions() as session:  # closing rolls back
                yield session
        except OperationalError as exc:
            raise DatabaseError(
                f"Database error ({exc.orig}). Check EAKTE_DATABASE_URL and run `eakte db upgrade`."
            ) from exc

    def register_keys(self, session: Session) -> None:
        """Make every known public key (and retirement) visible in the database and store."""
        for info in self.keyring().list():
            row = session.get(SigningKey, info.key_id)
            if row is None:
                session.add(
                    SigningKey(
                        key_id=info.key_id,
                        public_pem=info.public_pem,
                        created_at=info.created_at,
                        retired_at=info.retired_at,
                    )
                )
                self.store.put(ObjectKind.PUBLIC_KEY, info.public_pem.encode())
            elif row.retired_at is None and info.retired_at is not None:
                row.retired_at = info.retired_at
        session.flush()

    def ensure_active_key_registered(self, session: Session) -> None:
        if session.get(SigningKey, self.keyring().active().key_id) is None:
            self.register_keys(session)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
        self.engine.dispose()
