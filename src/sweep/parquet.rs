//! runs.parquet and points.parquet (cargo feature `parquet`, on by default): a table of typed
//! columns ([`crate::sweep::columns`]) written as a stream of row groups.
//!
//! Rows are pushed one at a time into per-column Arrow builders; every [`BATCH_ROWS`] rows the
//! builders become a record batch handed to the Parquet writer, which closes a row group every
//! [`ROW_GROUP_ROWS`] rows. So memory holds at most one row group, whatever the number of rows.
//! Integers are signed 64-bit, floats 64-bit, booleans and strings (UTF-8) as such; a column
//! marked nullable may hold nulls (a `*_day` that never happened), and keeps its integer type
//! with them. Pages are compressed with Snappy. The file is written under a temporary name and
//! renamed into place when closed.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::sweep::columns::{Cell, Column, ValueType};
use crate::sweep::error::SweepError;

/// Rows buffered in the builders before they are handed to the writer as one batch.
pub const BATCH_ROWS: usize = 8192;

/// Rows per row group.
pub const ROW_GROUP_ROWS: usize = 65_536;

/// One column's values being gathered.
enum Builder {
    Integer(Int64Builder),
    Float(Float64Builder),
    Boolean(BooleanBuilder),
    String(StringBuilder),
}

impl Builder {
    fn new(value_type: ValueType) -> Builder {
        match value_type {
            ValueType::Integer => Builder::Integer(Int64Builder::with_capacity(BATCH_ROWS)),
            ValueType::Float => Builder::Float(Float64Builder::with_capacity(BATCH_ROWS)),
            ValueType::Boolean => Builder::Boolean(BooleanBuilder::with_capacity(BATCH_ROWS)),
            ValueType::String => Builder::String(StringBuilder::with_capacity(BATCH_ROWS, BATCH_ROWS * 8)),
        }
    }

    /// Appends a value; a cell of another type than the column's is a bug of the caller.
    fn push(&mut self, cell: &Cell) -> Result<(), String> {
        match (self, cell) {
            (Builder::Integer(b), Cell::Null) => b.append_null(),
            (Builder::Float(b), Cell::Null) => b.append_null(),
            (Builder::Boolean(b), Cell::Null) => b.append_null(),
            (Builder::String(b), Cell::Null) => b.append_null(),
            (Builder::Integer(b), Cell::Integer(i)) => b.append_value(*i),
            (Builder::Float(b), Cell::Float(x)) => b.append_value(*x),
            (Builder::Float(b), Cell::Integer(i)) => b.append_value(*i as f64),
            (Builder::Boolean(b), Cell::Boolean(v)) => b.append_value(*v),
            (Builder::String(b), Cell::String(s)) => b.append_value(s),
            (_, other) => return Err(format!("{other:?} does not fit the column's type")),
        }
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Integer(b) => Arc::new(b.finish()),
            Builder::Float(b) => Arc::new(b.finish()),
            Builder::Boolean(b) => Arc::new(b.finish()),
            Builder::String(b) => Arc::new(b.finish()),
        }
    }
}

/// The Arrow schema of a table with these columns.
pub fn schema(columns: &[Column]) -> Schema {
    Schema::new(
        columns
            .iter()
            .map(|c| {
                let data_type = match c.value_type {
                    ValueType::Integer => DataType::Int64,
                    ValueType::Float => DataType::Float64,
                    ValueType::Boolean => DataType::Boolean,
                    ValueType::String => DataType::Utf8,
                };
                Field::new(&c.name, data_type, c.nullable)
            })
            .collect::<Vec<Field>>(),
    )
}

/// A Parquet file being written, row by row.
pub struct TableWriter {
    path: PathBuf,
    tmp: PathBuf,
    schema: SchemaRef,
    columns: Vec<Column>,
    builders: Vec<Builder>,
    rows: usize,
    writer: ArrowWriter<fs::File>,
}

impl TableWriter {
    /// Starts `name` in `dir` (under a temporary name until [`TableWriter::finish`]).
    pub fn create(dir: &Path, name: &str, columns: &[Column]) -> Result<TableWriter, SweepError> {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp"));
        let schema: SchemaRef = Arc::new(schema(columns));
        let file = fs::File::create(&tmp).map_err(SweepError::io(&tmp))?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("casus {}", crate::log::CASUS_VERSION))
            .build();
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(properties))
            .map_err(|e| SweepError::Parquet { path: path.clone(), what: e.to_string() })?;
        let builders = columns.iter().map(|c| Builder::new(c.value_type)).collect();
        Ok(TableWriter { path, tmp, schema, columns: columns.to_vec(), builders, rows: 0, writer })
    }

    fn fail(&self, what: impl ToString) -> SweepError {
        SweepError::Parquet { path: self.path.clone(), what: what.to_string() }
    }

    /// Appends a row (its cells in the columns' order).
    pub fn push(&mut self, cells: Vec<Cell>) -> Result<(), SweepError> {
        if cells.len() != self.columns.len() {
            return Err(self.fail(format!("a row of {} values for {} columns", cells.len(), self.columns.len())));
        }
        for (j, cell) in cells.iter().enumerate() {
            if let Err(what) = self.builders[j].push(cell) {
                return Err(self.fail(format!("{}: {what}", self.columns[j].name)));
            }
        }
        self.rows += 1;
        if self.rows == BATCH_ROWS {
            self.write_batch()?;
        }
        Ok(())
    }

    /// Hands the rows gathered to the writer as one record batch.
    fn write_batch(&mut self) -> Result<(), SweepError> {
        if self.rows == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays).map_err(|e| self.fail(e))?;
        self.writer.write(&batch).map_err(|e| self.fail(e))?;
        self.rows = 0;
        Ok(())
    }

    /// Writes the last rows, closes the file and renames it into place.
    pub fn finish(mut self) -> Result<(), SweepError> {
        self.write_batch()?;
        let (path, tmp) = (self.path.clone(), self.tmp.clone());
        self.writer.close().map_err(|e| SweepError::Parquet { path: path.clone(), what: e.to_string() })?;
        fs::rename(&tmp, &path).map_err(SweepError::io(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    /// A table of many rows is written in row groups of [`ROW_GROUP_ROWS`], each column typed
    /// and nullable as declared, nulls kept in an integer column.
    #[test]
    fn a_long_table_is_written_in_row_groups_with_its_types() {
        let dir = std::env::temp_dir().join(format!("casus-parquet-unit-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let columns = vec![
            Column { name: "run".into(), value_type: ValueType::Integer, nullable: false },
            Column { name: "day".into(), value_type: ValueType::Integer, nullable: true },
            Column { name: "share".into(), value_type: ValueType::Float, nullable: false },
            Column { name: "yes".into(), value_type: ValueType::Boolean, nullable: false },
            Column { name: "class".into(), value_type: ValueType::String, nullable: false },
        ];
        let rows = 2 * ROW_GROUP_ROWS + 100;
        let mut writer = TableWriter::create(&dir, "t.parquet", &columns).unwrap();
        for i in 0..rows {
            let day = if i % 3 == 0 { Cell::Null } else { Cell::Integer(i as i64 % 365) };
            writer
                .push(vec![
                    Cell::Integer(i as i64),
                    day,
                    Cell::Float(i as f64 / 4.0),
                    Cell::Boolean(i % 2 == 0),
                    Cell::String("Junta".into()),
                ])
                .unwrap();
        }
        assert!(!dir.join("t.parquet").exists(), "written under a temporary name until finished");
        writer.finish().unwrap();
        let reader = SerializedFileReader::new(fs::File::open(dir.join("t.parquet")).unwrap()).unwrap();
        let meta = reader.metadata();
        let groups: Vec<i64> = meta.row_groups().iter().map(|g| g.num_rows()).collect();
        assert_eq!(groups, [ROW_GROUP_ROWS as i64, ROW_GROUP_ROWS as i64, 100]);
        let batches =
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(fs::File::open(dir.join("t.parquet")).unwrap())
                .unwrap()
                .build()
                .unwrap();
        let mut nulls = 0;
        let mut seen = 0;
        for batch in batches {
            let batch = batch.unwrap();
            assert_eq!(batch.schema().as_ref(), &schema(&columns));
            nulls += batch.column(1).null_count();
            seen += batch.num_rows();
        }
        assert_eq!((seen, nulls), (rows, rows.div_ceil(3)));
        assert!(!dir.join(".t.parquet.tmp").exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
