// Lifeline patch (deploy/local/src/tools.ts, FERRETDB_PATCHES "one-transaction-per-command").
//
// A batched write (fsql's lifeline_batch.go) holds SQLite's write lock from its first query to its commit. It must
// not wait for the registry's lock meanwhile: a registry writer (createIndexes, a new collection) holds that lock
// while it waits for SQLite's, so the two would wait for each other until the busy timeout. So a batch remembers
// each collection's metadata from its first lookup, made before its first query (when stock FerretDB reads it for
// each query too), and answers later lookups from it until it commits. It cannot go stale meanwhile: changing a
// collection's metadata takes SQL on its database, which waits for the batch's commit.

package metadata

import (
	"context"

	"github.com/FerretDB/FerretDB/internal/util/fsql"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
)

// batchCollection returns the metadata the batch of ctx remembers for the collection, if it does.
func (r *Registry) batchCollection(ctx context.Context, dbName, collectionName string) (*Collection, bool) {
	v, ok := fsql.Remembered(ctx, dbName+"."+collectionName)
	if !ok {
		return nil, false
	}

	return v.(*Collection).deepCopy(), true
}

// rememberInBatch makes the batch of ctx, if any, remember the collection's metadata, and returns it.
func (r *Registry) rememberInBatch(ctx context.Context, dbName, collectionName string, c *Collection) *Collection {
	fsql.Remember(ctx, dbName+"."+collectionName, c.deepCopy())

	return c
}

// collectionCreateInBatch answers CollectionCreate inside a batch, which cannot create a collection (its table
// would be rolled back with a failing statement while the registry kept it): the handler creates the collection
// before its batch starts.
func (r *Registry) collectionCreateInBatch(ctx context.Context, params *CollectionCreateParams) (bool, error) {
	if c, ok := r.batchCollection(ctx, params.DBName, params.Name); ok && c != nil {
		return false, nil
	}

	return false, lazyerrors.Errorf("collection %s.%s was dropped while a write to it started", params.DBName, params.Name)
}
