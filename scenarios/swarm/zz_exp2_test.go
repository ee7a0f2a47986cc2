package swarm

import (
	"fmt"
	"os"
	"strconv"
	"testing"
)

func TestExp2(t *testing.T) {
	s, _ := strconv.Atoi(os.Getenv("SEED"))
	w := Generate(uint64(s))
	v := Check(w)
	p, _ := WriteRepro("/tmp/exp", ReproFileName(w.Seed, false), NewRepro(v))
	fmt.Println(p, v.Failures)
}
