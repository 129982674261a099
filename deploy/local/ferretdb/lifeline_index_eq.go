// Lifeline patch (deploy/local/src/tools.ts, FERRETDB_PATCHES "sqlite-index-eq").
//
// FerretDB 1.24's SQLite backend creates the indexes a client declares but answers every filter other than `_id`
// with a scan of the whole collection: `find({communityId: "c0042", type: "grid-worker"})` read all 4,000 people of a
// city to return four. This answers a filter with a top-level string or boolean equality on the first field of a
// declared index from that index. The pushed-down condition is a superset of what MongoDB's equality matches, so
// FerretDB, which still filters every row it gets, returns exactly what it did before:
//   - the field equal to the value, or
//   - the field an array (an array containing the value matches in MongoDB; SQLite's `->` renders an array as JSON
//     text starting with "[", so the range "[" <= f < "\" selects exactly the arrays, from the same index).
// Only plain printable ASCII strings are pushed down (no quote, backslash or characters JSON encoders may escape),
// so the JSON text of the value is the same however it was written. Rows come back in natural (rowid) order, as a
// scan returns them. Capped collections keep their own path.

package sqlite

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// plainString reports whether s is printable ASCII without characters that JSON encoders escape differently.
func plainString(s string) bool {
	if s == "" || len(s) > 512 {
		return false
	}

	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}

	return true
}

// indexedEqClause returns a WHERE clause answering a top-level string or boolean equality of the filter from a
// declared index whose first key is that field, or "" when there is none.
func indexedEqClause(meta *metadata.Collection, filter *types.Document) (string, []any) {
	if meta == nil || meta.Capped() || filter == nil {
		return "", nil
	}

	for _, index := range meta.Settings.Indexes {
		if len(index.Key) == 0 {
			continue
		}

		field := index.Key[0].Field
		if field == "_id" || strings.ContainsAny(field, `."\$`) {
			continue
		}

		v, err := filter.Get(field)
		if err != nil {
			continue
		}

		switch value := v.(type) {
		case string:
			if !plainString(value) {
				continue
			}
		case bool:
		default:
			continue
		}

		column := fmt.Sprintf("%s->%q", metadata.DefaultColumn, field)
		clause := fmt.Sprintf(` WHERE (%s = ? OR (%s >= '[' AND %s < '\')) ORDER BY rowid`, column, column, column)

		return clause, []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
	}

	return "", nil
}
