package rules

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// outsideCitation matches a comment citing a file outside the repository:
// the project's shared reference notes, which a clone does not have.
var outsideCitation = regexp.MustCompile(`(\.\./)?shared/reference|(^|[\s(])reference/[\w-]+\.md`)

// repoCitation matches a repo-relative path cited in a comment.
var repoCitation = regexp.MustCompile(`(^|[\s(` + "`" + `])((?:docs|engine|sim|model|scenarios|internal|cmd|reports|results)/[\w./-]+\.(?:go|md|txt|json|golden))`)

// TestCommentCitationsResolve: every repo-relative path a comment cites
// exists, and no comment cites a file outside the repository (cite
// docs/FIDELITY.md or pingcap/ticdc:path instead).
func TestCommentCitationsResolve(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() && (rel == "bench" || rel == "bin" || rel == "out" || strings.HasPrefix(d.Name(), ".")) && rel != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		full, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, cg := range full.Comments {
			text := cg.Text()
			if outsideCitation.MatchString(text) {
				t.Errorf("%s: a comment cites a file outside the repository: %q", fset.Position(cg.Pos()), outsideCitation.FindString(text))
			}
			for _, m := range repoCitation.FindAllStringSubmatch(text, -1) {
				path := strings.TrimRight(m[2], ".")
				if _, err := os.Stat(filepath.Join(root, path)); err != nil {
					// A path relative to the file's own directory is fine too.
					if _, err2 := os.Stat(filepath.Join(filepath.Dir(p), path)); err2 != nil {
						t.Errorf("%s: a comment cites %s, which does not exist", fset.Position(cg.Pos()), path)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
