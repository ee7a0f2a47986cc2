package core

import "fmt"

// OpKind names one I/O operation the core asks a driver to perform.
type OpKind uint8

// The operations. File-backend logs use Create..Remove; object-backend logs
// use Put and Delete.
const (
	OpCreate   OpKind = iota + 1 // create (or truncate) Path
	OpWrite                      // write Data at Offset of Path
	OpTruncate                   // truncate Path to Offset bytes
	OpSync                       // fsync Path
	OpRename                     // rename Path to NewPath
	OpSyncDir                    // fsync the directory Path
	OpRemove                     // remove Path
	OpPut                        // upload Data as object Path (atomic)
	OpDelete                     // delete object Path
)

var opNames = [...]string{
	OpCreate: "create", OpWrite: "write", OpTruncate: "truncate", OpSync: "sync",
	OpRename: "rename", OpSyncDir: "syncdir", OpRemove: "remove", OpPut: "put", OpDelete: "delete",
}

// String returns the lower-case name of the op kind.
func (k OpKind) String() string {
	if int(k) < len(opNames) && opNames[k] != "" {
		return opNames[k]
	}
	return fmt.Sprintf("op(%d)", uint8(k))
}

// Op is one I/O request. Data belongs to the core and must not be modified
// by the driver; it stays valid until the chain that carries it completes.
type Op struct {
	Kind    OpKind
	Path    string // file path or object key, relative to the log's directory
	NewPath string // rename target
	Offset  int64  // write offset, or truncate size
	Data    []byte // write or put payload
}

// String describes the op for traces and error messages.
func (o Op) String() string {
	switch o.Kind {
	case OpWrite:
		return fmt.Sprintf("write %s at %d (%d bytes)", o.Path, o.Offset, len(o.Data))
	case OpPut:
		return fmt.Sprintf("put %s (%d bytes)", o.Path, len(o.Data))
	case OpTruncate:
		return fmt.Sprintf("truncate %s to %d", o.Path, o.Offset)
	case OpRename:
		return fmt.Sprintf("rename %s to %s", o.Path, o.NewPath)
	}
	return o.Kind.String() + " " + o.Path
}

// Chain is a sequence of ops a driver must perform in order, stopping at the
// first error, and then report with Engine.Advance. Chains of different
// streams may run concurrently; one stream never has two chains in flight,
// unless Config.SyncChainsMax pipelines it: then its chains may run
// concurrently too, and the core issues each only when that is safe (none
// writes a file another chain in flight creates, or seals a file another
// one uses).
type Chain struct {
	// ID identifies the chain in Advance.
	ID uint64
	// Stream names the stream the chain belongs to ("row", "ddl", "meta").
	Stream string
	// Ops are the operations, in order.
	Ops []Op
}
