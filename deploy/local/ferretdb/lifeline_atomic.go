// Lifeline patch (deploy/local/src/tools.ts, FERRETDB_PATCHES "atomic-updates").
//
// FerretDB 1.24 runs update, findAndModify and delete as "query, then write" without a transaction, so two
// concurrent conditional updates of one document can both match and one write is lost (1,000 concurrent guarded
// decrements of a lot of 500 all "succeeded" and left 450). MongoDB promises single-document atomicity. This lock
// makes each such read-modify-write exclusive per collection, which gives that promise back: SQLite has one writer
// per database file anyway, so serialising the writers of one collection costs little throughput.

package handler

import "sync"

// collectionLocks holds one mutex per "<db>.<collection>".
var collectionLocks sync.Map

// lockCollection takes the collection's write lock and returns its release.
func lockCollection(db, collection string) func() {
	m, _ := collectionLocks.LoadOrStore(db+"."+collection, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()

	return mu.Unlock
}
