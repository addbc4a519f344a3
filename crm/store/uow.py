"""The SQLAlchemy unit of work: one session, one transaction; commit explicit, rollback by default."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from crm.store import repositories as r
from crm.store.call_log import SqlCallLog
from crm.store.open311_repo import SqlOpen311Repository


class SqlUnitOfWork:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self.session: Session | None = None

    def __enter__(self) -> Self:
        session = self.session = self._factory()
        self.centers = r.SqlCenterRepository(session)
        self.agents = r.SqlAgentRepository(session)
        self.citizens = r.SqlCitizenRepository(session)
        self.cases = r.SqlCaseRepository(session)
        self.interactions = r.SqlInteractionRepository(session)
        self.handoffs = r.SqlHandoffRepository(session)
        self.events = r.SqlCaseEventRepository(session)
        self.callbacks = r.SqlCallbackRepository(session)
        self.complaints = r.SqlComplaintRepository(session)
        self.access_log = r.SqlAccessLogRepository(session)
        self.transcription_jobs = r.SqlTranscriptionJobRepository(session)
        self.attestations = r.SqlAttestationRepository(session)
        self.identity = r.SqlIdentityRepository(session)
        self.pins = r.SqlPinRepository(session)
        self.tool_uses = r.SqlToolUseRepository(session)
        self.open311 = SqlOpen311Repository(session)
        self.call_log = SqlCallLog(session)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self.session is not None
        # close() rolls back whatever was not committed; unlike rollback() it leaves the loaded
        # objects readable (detached), so callers can present what they read after the block.
        self.session.close()
        self.session = None

    def commit(self) -> None:
        assert self.session is not None
        self.session.commit()

    def rollback(self) -> None:
        assert self.session is not None
        self.session.rollback()

    def flush(self) -> None:
        assert self.session is not None
        self.session.flush()


class UnitOfWorkFactory:
    """Makes units of work on one engine; ``readonly`` ones use a deferred transaction on SQLite."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write = sessionmaker(bind=engine, expire_on_commit=False)
        reader = engine.execution_options(sqlite_begin="DEFERRED") if engine.dialect.name == "sqlite" else engine
        self._read = sessionmaker(bind=reader, expire_on_commit=False)

    def __call__(self, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._read if readonly else self._write)
