"""Every database test runs against the database named by LIAISON_TEST_DATABASE_URL
(PostgreSQL in CI's second pass), else a fresh SQLite file; both built by the real
Alembic migrations."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from liaison.api.app import create_app
from liaison.api.config import Settings
from liaison.api.keys import SigningKeys
from liaison.db import (
    certificate_models,
    incident_models,
    inspection_models,
    ledger_models,
    models,
    rectification_models,
)
from liaison.db.engine import create_engine, session_factory
from liaison.db.migrate import upgrade
from liaison.db.recognition_models import Recognition
from liaison.db.referral_models import (
    AttachmentBlob,
    PublicReport,
    Referral,
    ReferralAttachment,
    ReferredRecord,
)
from world import World, build_world

TEST_ISSUER = "urn:liaison:test"
TEST_AUDIENCE = "urn:liaison:test-api"

# Children first, so deletes never break a foreign key.
_TABLES = [
    inspection_models.JointInspectionResult,
    inspection_models.JointInspectionVisit,
    inspection_models.JointInspectionTarget,
    inspection_models.JointInspectionDraw,
    inspection_models.JointInspectionItem,
    inspection_models.JointInspectionParticipant,
    inspection_models.JointInspectionPlan,
    inspection_models.Inspector,
    ledger_models.EnterpriseAlteration,
    ledger_models.DepartmentPlace,
    Recognition,
    certificate_models.JointDisciplineMeasure,
    certificate_models.JointDisciplineEntry,
    certificate_models.DisciplineMeasureRule,
    certificate_models.CertificateEvent,
    certificate_models.Certificate,
    ReferredRecord,
    ReferralAttachment,
    AttachmentBlob,
    Referral,
    PublicReport,
    models.Grant,
    models.AgreementParty,
    models.AgreementVersion,
    models.Agreement,
    rectification_models.RectificationItem,
    rectification_models.RectificationCampaign,
    incident_models.IncidentTeamMember,
    incident_models.IncidentResponse,
    incident_models.IncidentChemical,
    incident_models.Incident,
    incident_models.EmergencyRosterEntry,
    models.StandardizationCertificate,
    models.SafetyGrade,
    models.Risk,
    models.CreditRating,
    models.DangerousChemicalEntry,
    models.LifecycleEvent,
    models.Enterprise,
    models.Department,
]


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("liaison-data")


@pytest.fixture(scope="session")
def database_url(data_dir: Path) -> str:
    url = os.environ.get("LIAISON_TEST_DATABASE_URL") or f"sqlite:///{data_dir / 'test.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def settings(data_dir: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        issuer=TEST_ISSUER,
        audience=TEST_AUDIENCE,
        token_lifetime_seconds=600,
    )


@pytest.fixture(scope="session")
def keys(data_dir: Path) -> SigningKeys:
    return SigningKeys.load_or_create(data_dir)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession]) -> World:
    """A clean database with the five demo departments and a handful of enterprises."""
    async with sessions() as session, session.begin():
        for table in _TABLES:
            await session.execute(delete(table))
        await session.execute(
            models.PolicyEpoch.__table__.update().values(epoch=models.PolicyEpoch.epoch + 1)
        )
    async with sessions() as session, session.begin():
        return await build_world(session)


@pytest.fixture(scope="session")
def app(settings: Settings, keys: SigningKeys) -> object:
    return create_app(settings)


@pytest.fixture
async def http(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://liaison.test") as client:
        yield client
