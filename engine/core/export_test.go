package core

// Planted bugs for the checkers' own tests. Each knob breaks one promise
// the engine makes; the property tests must notice.

// PlantAckBeforeSync makes the row log acknowledge appends as soon as their
// write completes, before the covering sync.
func PlantAckBeforeSync(e *Engine) { e.row.plantAckBeforeSync = true }

// PlantSkipDirSync makes the row log never sync the directory after
// creating a file, so a crash can lose the whole file.
func PlantSkipDirSync(e *Engine) { e.row.plantSkipDirSync = true }
