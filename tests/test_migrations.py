"""The migrations build the schema from nothing, and agree with the models, on each database."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from forum import create_app
from forum.data.search_index import include_in_schema_comparison
from forum.extensions import db


@pytest.fixture
def migrated_app(fresh_database):  # noqa: ANN001, ANN201
    """An app on an empty database, for the migrations to build; its connections closed after."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database})
    yield app
    with app.app_context():
        db.engine.dispose()


def schema_differences(app) -> list:  # noqa: ANN001
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": include_in_schema_comparison},
        )
        return compare_metadata(context, db.metadata)


def test_migrations_build_the_schema_and_match_the_models(migrated_app):
    app = migrated_app
    with app.app_context():
        upgrade()
    assert schema_differences(app) == []


def test_migrations_downgrade_to_nothing_and_back(migrated_app):
    app = migrated_app
    with app.app_context():
        upgrade()
        assert "post_search" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        assert "post_search" in inspect(db.engine).get_table_names()
    assert schema_differences(app) == []
