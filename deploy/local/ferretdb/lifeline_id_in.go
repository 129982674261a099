// Lifeline patch (deploy/local/src/tools.ts, FERRETDB_PATCHES "sqlite-id-in").
//
// FerretDB 1.24's SQLite backend pushes down only `{_id: <value>}`; `{_id: {$in: [...]}}` scanned the whole
// collection, so reading a batch of documents by id cost a scan. This answers such a filter from the _id index
// (`WHERE <id expression> IN (...)`); FerretDB still filters the rows it gets, so results are unchanged.

package sqlite

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// maxIDsPushedDown stays below SQLite's default limit of bound variables per statement.
const maxIDsPushedDown = 900

// idInClause returns the WHERE clause and arguments for `{$in: [ids]}` of strings or ObjectIDs, or "" when the
// condition is anything else.
func idInClause(cond *types.Document) (string, []any) {
	if cond.Len() != 1 {
		return "", nil
	}

	v, err := cond.Get("$in")
	if err != nil {
		return "", nil
	}

	ids, ok := v.(*types.Array)
	if !ok || ids.Len() == 0 || ids.Len() > maxIDsPushedDown {
		return "", nil
	}

	placeholders := make([]string, ids.Len())
	args := make([]any, ids.Len())

	for i := 0; i < ids.Len(); i++ {
		id := must.NotFail(ids.Get(i))

		switch id.(type) {
		case string, types.ObjectID:
		default:
			return "", nil
		}

		placeholders[i] = "?"
		args[i] = string(must.NotFail(sjson.MarshalSingleValue(id)))
	}

	return fmt.Sprintf(` WHERE %s IN (%s)`, metadata.IDColumn, strings.Join(placeholders, ", ")), args
}
