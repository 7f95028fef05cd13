"""The migrations build the schema from nothing, and agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from forum import create_app
from forum.extensions import db


def migrated_app(database_url: str):  # noqa: ANN201
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})


def schema_differences(app) -> list:  # noqa: ANN001
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_build_the_schema_and_match_the_models(tmp_path):
    app = migrated_app(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    with app.app_context():
        upgrade()
    assert schema_differences(app) == []


def test_migrations_downgrade_to_nothing_and_back(tmp_path):
    app = migrated_app(f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}")
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
    assert schema_differences(app) == []
