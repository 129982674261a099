// Lifeline patch (deploy/local/src/tools.ts, FERRETDB_PATCHES "one-transaction-per-command").
//
// An `update` or `delete` command whose statements each touch one document (updateOne, replaceOne, deleteOne: what
// a `bulkWrite` of guarded updates sends) runs its statements in one SQLite transaction, each in a savepoint
// (fsql's lifeline_batch.go), instead of one transaction per statement: one WAL sync for the command instead of one
// per statement. The command keeps MongoDB's per-statement semantics:
//
//   - statements run in order, each seeing what the earlier ones wrote, under the collection's lock
//     (lifeline_atomic.go) and SQLite's write lock, so a guard is still exact under concurrent commands;
//   - a statement that fails is rolled back alone and reported in writeErrors with its index; ordered commands stop
//     there, unordered ones go on; what ran before stays applied;
//   - n, nModified and upserted (with the statement's index) count what was applied.
//
// A statement that may touch many documents (multi: true, limit: 0) runs as stock FerretDB runs it, one document per
// transaction, so a long updateMany does not hold SQLite's write lock for the whole database. Stock FerretDB's
// updateDocument (msg_update.go) is no longer called: it ignored `ordered`, reported any failing statement as the
// command's only error at index 0, and numbered upserts by their position among upserts.

package handler

import (
	"context"
	"errors"
	"fmt"

	"github.com/FerretDB/wire/wirebson"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/handler/common"
	"github.com/FerretDB/FerretDB/internal/handler/handlererrors"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/fsql"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// statementsPerTransaction bounds how long one command holds SQLite's write lock for the whole database
// (others' writes wait for it); MongoDB drivers send up to 100,000 statements in one command.
const statementsPerTransaction = 100

// statements runs a write command's statements, in one transaction per statementsPerTransaction when batched.
type statements struct {
	ctx   context.Context
	batch *fsql.Batch
	n     int
}

// newStatements batches the statements when each touches one document.
func newStatements(ctx context.Context, oneDocumentEach bool) *statements {
	s := &statements{ctx: ctx}
	if oneDocumentEach {
		s.ctx, s.batch = fsql.WithBatch(ctx)
	}

	return s
}

// run runs one statement; if it fails, nothing it wrote stays.
func (s *statements) run(f func(ctx context.Context) error) error {
	if s.batch == nil {
		return f(s.ctx)
	}

	if s.n > 0 && s.n%statementsPerTransaction == 0 {
		if err := s.batch.Commit(); err != nil {
			return lazyerrors.Error(err)
		}
	}

	s.n++

	return s.batch.Statement(func() error { return f(s.ctx) })
}

// commit commits what the statements applied; it fails if the transaction was lost (then none of it is applied).
func (s *statements) commit() error {
	if s.batch == nil {
		return nil
	}

	return s.batch.Commit()
}

// writeError is a statement's failure as MongoDB reports it in writeErrors, or nil when the failure is the
// command's (an internal error, a lost connection).
func writeError(index int, err error) *types.Document {
	var we *handlererrors.WriteErrors
	var ce *handlererrors.CommandError

	var code int32
	var msg string

	switch {
	case errors.As(err, &we):
		first := we.Document().Get("writeErrors").(*wirebson.Array).Get(0).(*wirebson.Document)
		code, msg = first.Get("code").(int32), first.Get("errmsg").(string)
	case errors.As(err, &ce):
		code, msg = int32(ce.Code()), ce.Err().Error()
	default:
		return nil
	}

	return must.NotFail(types.NewDocument("index", int32(index), "code", code, "errmsg", msg))
}

// updateStatements runs an update command's statements and returns its reply.
func (h *Handler) updateStatements(ctx context.Context, params *common.UpdateParams) (*types.Document, error) {
	defer lockCollection(params.DB, params.Collection)()

	c, err := h.updateCollection(ctx, params)
	if err != nil {
		return nil, err
	}

	var matched, modified int32
	upserted := types.MakeArray(0)
	writeErrors := types.MakeArray(0)
	s := newStatements(ctx, updatesOneEach(params.Updates))

	for i := range params.Updates {
		var res *common.UpdateResult

		err = s.run(func(ctx context.Context) (err error) {
			res, err = h.updateStatement(ctx, c, &params.Updates[i])
			return
		})

		if err != nil {
			we := writeError(i, handleUpdateError(params.DB, params.Collection, "update", err))
			if we == nil {
				_ = s.commit()
				return nil, err
			}

			writeErrors.Append(we)

			if params.Ordered {
				break
			}

			continue
		}

		matched += res.Matched.Count
		modified += res.Modified.Count

		if res.Upserted.Doc != nil {
			upserted.Append(must.NotFail(types.NewDocument("index", int32(i), "_id", must.NotFail(res.Upserted.Doc.Get("_id")))))
			matched++ // MongoDB counts an upsert in n
		}
	}

	if err = s.commit(); err != nil {
		return nil, lazyerrors.Error(err)
	}

	reply := must.NotFail(types.NewDocument("n", matched))
	if upserted.Len() != 0 {
		reply.Set("upserted", upserted)
	}

	reply.Set("nModified", modified)

	if writeErrors.Len() != 0 {
		reply.Set("writeErrors", writeErrors)
	}

	reply.Set("ok", float64(1))

	return reply, nil
}

// updateCollection returns the collection an update command writes, creating it (before any batch starts: a batch
// cannot create collections).
func (h *Handler) updateCollection(ctx context.Context, params *common.UpdateParams) (backends.Collection, error) {
	db, err := h.b.Database(params.DB)
	if err != nil {
		if backends.ErrorCodeIs(err, backends.ErrorCodeDatabaseNameIsInvalid) {
			msg := fmt.Sprintf("Invalid namespace specified '%s.%s'", params.DB, params.Collection)
			return nil, handlererrors.NewCommandErrorMsgWithArgument(handlererrors.ErrInvalidNamespace, msg, "update")
		}

		return nil, lazyerrors.Error(err)
	}

	err = db.CreateCollection(ctx, &backends.CreateCollectionParams{Name: params.Collection})
	if err != nil && !backends.ErrorCodeIs(err, backends.ErrorCodeCollectionAlreadyExists) {
		if backends.ErrorCodeIs(err, backends.ErrorCodeCollectionNameIsInvalid) {
			msg := fmt.Sprintf("Invalid collection name: %s", params.Collection)
			return nil, handlererrors.NewCommandErrorMsgWithArgument(handlererrors.ErrInvalidNamespace, msg, "update")
		}

		return nil, lazyerrors.Error(err)
	}

	c, err := db.Collection(params.Collection)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	return c, nil
}

// updateStatement applies one statement of an update command.
func (h *Handler) updateStatement(ctx context.Context, c backends.Collection, u *common.Update) (*common.UpdateResult, error) {
	var qp backends.QueryParams
	if !h.DisablePushdown {
		qp.Filter = u.Filter
	}

	res, err := c.Query(ctx, &qp)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	closer := iterator.NewMultiCloser(res.Iter)
	iter := common.FilterIterator(res.Iter, closer, u.Filter)

	if u.Multi {
		defer closer.Close()
	} else {
		// The match is read and its query closed before the write: in a batch both run on one connection, and an
		// open SQLite statement that sees its own connection's writes may read a changed row again.
		var docs []*types.Document
		docs, err = iterator.ConsumeValuesN(common.LimitIterator(iter, closer, 1), 1)

		closer.Close()

		if err != nil {
			return nil, lazyerrors.Error(err)
		}

		match := iterator.ForSlice(docs)
		defer match.Close()

		iter = iterator.Values(match)
	}

	result, err := common.UpdateDocument(ctx, c, "update", iter, u)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	return result, nil
}

// updatesOneEach reports whether every statement of an update command updates at most one document.
func updatesOneEach(updates []common.Update) bool {
	for _, u := range updates {
		if u.Multi {
			return false
		}
	}

	return true
}

// deletesOneEach reports whether every statement of a delete command deletes at most one document.
func deletesOneEach(deletes []common.Delete) bool {
	for _, d := range deletes {
		if !d.Limited {
			return false
		}
	}

	return true
}
