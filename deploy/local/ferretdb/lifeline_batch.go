// Lifeline patch (deploy/local/src/tools.ts, FERRETDB_PATCHES "one-transaction-per-command").
//
// Stock FerretDB runs every statement of an `update` command as its own SQLite transaction, and each commit syncs
// the WAL (~1.3 ms a statement on our machines): a `bulkWrite` of 20 guarded updates cost 20 commits. A Batch lets
// a handler run a command's statements in ONE transaction while keeping MongoDB's per-statement semantics:
//
//   - the transaction starts with BEGIN IMMEDIATE, so it holds SQLite's write lock from its first read: no other
//     connection can commit between a statement's read and its write, and a later statement reads what an earlier
//     one wrote (same connection);
//   - each statement runs inside a savepoint: a statement that fails is rolled back alone, and what ran before it
//     stays applied when the transaction commits, as on MongoDB;
//   - a transaction SQLite itself rolled back (I/O error, interrupt) makes Commit fail, so the handler never
//     reports statements as applied that are not.
//
// While it holds SQLite's write lock the batch must not wait for the metadata registry's lock (a registry writer
// holds that one while it waits for SQLite's): the registry answers the batch's repeated lookups from what the batch
// remembers (metadata's lifeline_batch_registry.go).
//
// A Batch is used by one goroutine (the handler running the command); it is carried in the context, so every
// query of the batched database made with that context runs on the batch's connection. Other databases (the oplog's
// "local") are outside it.

package fsql

import (
	"context"
	"database/sql"
	"database/sql/driver"

	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
)

// txConn is what a Tx runs on: a *sql.Tx, or a savepoint inside a batch.
type txConn interface {
	Commit() error
	Rollback() error
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// querier is what a DB runs a query on: its pool, or a batch's connection.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

type batchKey struct{}

// Batch runs the statements of one write command in one SQLite transaction, each in its own savepoint.
type Batch struct {
	db         *DB            // the database whose transaction is open; nil when none is
	conn       *sql.Conn      // that transaction's connection
	remembered map[string]any // what Remember kept for this transaction

	inStatement bool  // a Statement is running
	savepoint   bool  // its savepoint is open
	err         error // the transaction can no longer commit
}

// WithBatch returns a context whose queries run in a new Batch.
func WithBatch(ctx context.Context) (context.Context, *Batch) {
	b := new(Batch)

	return context.WithValue(ctx, batchKey{}, b), b
}

func batchOf(ctx context.Context) *Batch {
	b, _ := ctx.Value(batchKey{}).(*Batch)

	return b
}

// InBatch reports whether ctx runs in a batch.
func InBatch(ctx context.Context) bool {
	return batchOf(ctx) != nil
}

// Remember keeps v under key until the batch of ctx, if any, commits.
func Remember(ctx context.Context, key string, v any) {
	b := batchOf(ctx)
	if b == nil {
		return
	}

	if b.remembered == nil {
		b.remembered = map[string]any{}
	}

	b.remembered[key] = v
}

// Remembered returns what the batch of ctx keeps under key.
func Remembered(ctx context.Context, key string) (any, bool) {
	b := batchOf(ctx)
	if b == nil {
		return nil, false
	}

	v, ok := b.remembered[key]

	return v, ok
}

// Statement runs f as one statement of the batch: if f fails, what it wrote is rolled back and the rest is kept.
func (b *Batch) Statement(f func() error) error {
	b.inStatement = true
	defer func() { b.inStatement = false }()

	if b.conn != nil && b.err == nil {
		if err := b.exec("SAVEPOINT lifeline_statement"); err != nil {
			b.err = err
			return lazyerrors.Error(err)
		}

		b.savepoint = true
	}

	err := f()

	if b.savepoint && b.err == nil {
		if err != nil {
			if rbErr := b.exec("ROLLBACK TO lifeline_statement"); rbErr != nil {
				b.err = rbErr
			}
		}

		if relErr := b.exec("RELEASE lifeline_statement"); relErr != nil && b.err == nil {
			b.err = relErr
		}
	}

	b.savepoint = false

	return err
}

// Commit commits what the batch's statements applied; the batch can go on with further statements in a new
// transaction. It fails when the transaction was lost: then nothing of it is applied.
func (b *Batch) Commit() error {
	conn := b.conn
	err := b.err
	b.db, b.conn, b.err, b.remembered = nil, nil, nil, nil

	if conn == nil {
		return err
	}

	if err == nil {
		_, err = conn.ExecContext(context.Background(), "COMMIT")
	}

	if err == nil {
		return conn.Close()
	}

	_, _ = conn.ExecContext(context.Background(), "ROLLBACK")

	// a connection whose transaction state is unknown never goes back to the pool
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()

	return lazyerrors.Error(err)
}

// exec runs a transaction-control statement; it must run even when the command's context is canceled.
func (b *Batch) exec(q string) error {
	_, err := b.conn.ExecContext(context.Background(), q)

	return err
}

// bind returns the batch's connection for db, opening its transaction on first use;
// nil when db is not the batched database.
func (b *Batch) bind(ctx context.Context, db *DB) (*sql.Conn, error) {
	if b.err != nil {
		return nil, b.err
	}

	if b.db != nil {
		if b.db == db {
			return b.conn, nil
		}

		return nil, nil
	}

	conn, err := db.sqlDB.Conn(ctx)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	if _, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		_ = conn.Close()
		return nil, lazyerrors.Error(err)
	}

	b.db, b.conn = db, conn

	if b.inStatement {
		if err = b.exec("SAVEPOINT lifeline_statement"); err != nil {
			b.err = err
			return nil, lazyerrors.Error(err)
		}

		b.savepoint = true
	}

	return conn, nil
}

// on returns what runs db's queries made with ctx: the batch's connection, or the pool.
func (db *DB) on(ctx context.Context) querier {
	b := batchOf(ctx)
	if b == nil {
		return db.sqlDB
	}

	conn, err := b.bind(ctx, db)
	if err != nil {
		return failed{db.sqlDB, err}
	}

	if conn == nil {
		return db.sqlDB
	}

	return conn
}

// begin starts a transaction on db: a savepoint inside the batch's transaction, or a transaction of its own.
func (db *DB) begin(ctx context.Context) (txConn, error) {
	b := batchOf(ctx)
	if b == nil {
		return db.sqlDB.BeginTx(ctx, nil)
	}

	conn, err := b.bind(ctx, db)
	if err != nil {
		return nil, err
	}

	if conn == nil {
		return db.sqlDB.BeginTx(ctx, nil)
	}

	if _, err = conn.ExecContext(ctx, "SAVEPOINT lifeline_tx"); err != nil {
		return nil, err
	}

	return savepointTx{conn}, nil
}

// savepointTx is a transaction nested in a batch's transaction.
type savepointTx struct {
	*sql.Conn
}

// Commit implements txConn.
func (s savepointTx) Commit() error {
	_, err := s.ExecContext(context.Background(), "RELEASE lifeline_tx")

	return err
}

// Rollback implements txConn.
func (s savepointTx) Rollback() error {
	if _, err := s.ExecContext(context.Background(), "ROLLBACK TO lifeline_tx"); err != nil {
		return err
	}

	_, err := s.ExecContext(context.Background(), "RELEASE lifeline_tx")

	return err
}

// failed answers every query with the error that keeps the batch from running it.
type failed struct {
	pool *sql.DB
	err  error
}

// QueryContext implements querier.
func (f failed) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, f.err
}

// QueryRowContext implements querier. Only database/sql makes a *sql.Row with an error: it is the one of a query
// whose context is canceled before it starts (nothing runs); Commit reports the real error.
func (f failed) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	canceled, cancel := context.WithCancel(ctx)
	cancel()

	return f.pool.QueryRowContext(canceled, query, args...)
}

// ExecContext implements querier.
func (f failed) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return nil, f.err
}

// check interfaces
var (
	_ txConn  = (*sql.Tx)(nil)
	_ txConn  = savepointTx{}
	_ querier = (*sql.DB)(nil)
	_ querier = (*sql.Conn)(nil)
	_ querier = failed{}
)
