//! Loading many rows at once: each backend's fastest way in ([`BulkInsert`]),
//! and a table's secondary indexes set aside for the load and built again
//! after it, in the same transaction ([`IndexCatalog`]).
//!
//! Each row inserted into a table with an index costs a descent into every
//! index's b-tree, at a random page for most of them (an address, a name).
//! Building an index over rows already there sorts them once instead. At a
//! million imported accounts (9 indexes on `users`, 6 on `audit_events`)
//! that is most of the import's time on both backends (bench/README.md,
//! "Moving users in").
//!
//! Only the plain indexes are set aside: a primary key or a unique index
//! stays, so every row is still checked against it as it goes in. The
//! definitions come from the database's own catalog, so an index a later
//! migration adds is set aside and rebuilt alike, exactly as it was. The
//! drop and the rebuild are statements of the load's transaction: if the
//! load fails, the rollback brings the indexes back as they were.
//!
//! What it costs: on PostgreSQL `DROP INDEX` locks the table until the
//! transaction ends, so nobody reads it meanwhile. The import only does
//! this into an empty account table (see `users.rs`).

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel::sql_types::Text;
use diesel::{PgConnection, SqliteConnection};

use crate::audit::NewAuditRow;
use crate::error::Failure;
use crate::rows::NewUserRow;
use crate::schema::{audit_events, policy_acceptances, users};

/// A secondary index as the catalog defines it.
#[derive(QueryableByName, Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexDefinition {
    #[diesel(sql_type = Text)]
    pub(crate) name: String,
    /// The `CREATE INDEX` statement that builds it again.
    #[diesel(sql_type = Text)]
    pub(crate) definition: String,
}

/// The backend's catalog of indexes.
pub(crate) trait IndexCatalog: SimpleConnection + Sized {
    /// The plain (neither primary nor unique) indexes of `table`, by name.
    fn secondary_indexes(&mut self, table: &str) -> Result<Vec<IndexDefinition>, Failure>;

    /// Within a write transaction: drops the plain indexes of `tables` and
    /// returns them, to give to [`IndexCatalog::rebuild_indexes`] once the
    /// rows are in.
    fn set_aside_indexes(&mut self, tables: &[&str]) -> Result<Vec<IndexDefinition>, Failure> {
        let mut set_aside = Vec::new();
        for table in tables {
            for index in self.secondary_indexes(table)? {
                self.batch_execute(&format!("DROP INDEX {}", quoted(&index.name)))?;
                set_aside.push(index);
            }
        }
        Ok(set_aside)
    }

    /// Builds again the indexes [`IndexCatalog::set_aside_indexes`] dropped.
    fn rebuild_indexes(&mut self, set_aside: &[IndexDefinition]) -> Result<(), Failure> {
        for index in set_aside {
            self.batch_execute(&index.definition)?;
        }
        Ok(())
    }
}

/// An identifier from the catalog, quoted for a statement.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl IndexCatalog for SqliteConnection {
    fn secondary_indexes(&mut self, table: &str) -> Result<Vec<IndexDefinition>, Failure> {
        // An index of a PRIMARY KEY or UNIQUE constraint has no `sql`; a
        // CREATE UNIQUE INDEX is marked unique by `pragma_index_list`.
        Ok(diesel::sql_query(
            "SELECT m.name AS name, m.sql AS definition FROM sqlite_master m \
             JOIN pragma_index_list(?) l ON l.name = m.name \
             WHERE m.type = 'index' AND m.tbl_name = ? AND m.sql IS NOT NULL AND NOT l.\"unique\" \
             ORDER BY m.name",
        )
        .bind::<Text, _>(table)
        .bind::<Text, _>(table)
        .load(self)?)
    }
}

impl IndexCatalog for PgConnection {
    fn secondary_indexes(&mut self, table: &str) -> Result<Vec<IndexDefinition>, Failure> {
        // Neither unique nor primary, nor behind any constraint (an
        // exclusion constraint's index); `pg_get_indexdef` spells it as
        // `CREATE INDEX name ON schema.table USING …`.
        Ok(diesel::sql_query(
            "SELECT c.relname::text AS name, pg_get_indexdef(x.indexrelid) AS definition \
             FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid \
             WHERE x.indrelid = $1::text::regclass AND NOT x.indisunique AND NOT x.indisprimary \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) \
             ORDER BY c.relname",
        )
        .bind::<Text, _>(table)
        .load(self)?)
    }
}

/// An accepted revision as a bulk load writes it (`language` unknown: null).
#[derive(Insertable)]
#[diesel(table_name = policy_acceptances, treat_none_as_default_value = false)]
pub(crate) struct NewAcceptanceRow<'a> {
    pub(crate) user_id: &'a str,
    pub(crate) revision_id: i32,
    pub(crate) accepted_at: NaiveDateTime,
    pub(crate) language: Option<&'a str>,
}

/// Rows from which a bulk load on PostgreSQL switches from one INSERT to
/// `COPY`: a few rows (the events of one request) go in one round trip.
const COPY_FROM: usize = 64;

/// Many rows of one table at once, in whatever way the backend takes them
/// fastest. Errors are diesel's as an INSERT's would be (a unique or
/// foreign-key violation), for the caller to classify.
///
/// - SQLite, in-process: one single-row INSERT per row. diesel prepares it
///   once and then only binds and steps it; a multi-row INSERT's text changes
///   with its row count, so each was parsed and planned anew, which cost an
///   import more than the rows themselves.
/// - PostgreSQL: `COPY … FROM STDIN` in the binary format from
///   [`COPY_FROM`] rows up (no statement of 20,000 parameters to parse and
///   plan per thousand rows), one multi-row INSERT below that.
pub(crate) trait BulkInsert {
    fn insert_users(&mut self, rows: &[NewUserRow<'_>]) -> Result<(), DieselError>;
    fn insert_events(&mut self, rows: &[NewAuditRow<'_>]) -> Result<(), DieselError>;
    fn insert_acceptances(&mut self, rows: &[NewAcceptanceRow<'_>]) -> Result<(), DieselError>;
}

/// [`BulkInsert`] on SQLite, the same for every table: one cached one-row
/// INSERT per row.
macro_rules! row_by_row {
    ($conn:expr, $table:path, $rows:expr) => {{
        for row in $rows {
            diesel::insert_into($table).values(row).execute($conn)?;
        }
        Ok(())
    }};
}

impl BulkInsert for SqliteConnection {
    fn insert_users(&mut self, rows: &[NewUserRow<'_>]) -> Result<(), DieselError> {
        row_by_row!(self, users::table, rows)
    }

    fn insert_events(&mut self, rows: &[NewAuditRow<'_>]) -> Result<(), DieselError> {
        row_by_row!(self, audit_events::table, rows)
    }

    fn insert_acceptances(&mut self, rows: &[NewAcceptanceRow<'_>]) -> Result<(), DieselError> {
        row_by_row!(self, policy_acceptances::table, rows)
    }
}

/// [`BulkInsert`] on PostgreSQL, the same for every table.
macro_rules! copy_or_insert {
    ($conn:expr, $table:path, $rows:expr) => {{
        let rows = $rows;
        if rows.len() >= COPY_FROM {
            diesel::copy_from($table).from_insertable(rows).execute($conn)?;
        } else if !rows.is_empty() {
            diesel::insert_into($table).values(rows).execute($conn)?;
        }
        Ok(())
    }};
}

impl BulkInsert for PgConnection {
    fn insert_users(&mut self, rows: &[NewUserRow<'_>]) -> Result<(), DieselError> {
        copy_or_insert!(self, users::table, rows)
    }

    fn insert_events(&mut self, rows: &[NewAuditRow<'_>]) -> Result<(), DieselError> {
        copy_or_insert!(self, audit_events::table, rows)
    }

    fn insert_acceptances(&mut self, rows: &[NewAcceptanceRow<'_>]) -> Result<(), DieselError> {
        copy_or_insert!(self, policy_acceptances::table, rows)
    }
}
