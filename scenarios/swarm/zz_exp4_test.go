package swarm

import (
	"fmt"
	"os"
	"strconv"
	"testing"
)

func TestExp4(t *testing.T) {
	s, _ := strconv.Atoi(os.Getenv("SEED"))
	w := Generate(uint64(s))
	v := Check(w)
	fmt.Println(v.Failures)
	sv, runs := Shrink(v, ShrinkOptions{})
	fmt.Println(ShrinkReport(v.World, sv.World, runs))
	fmt.Println(sv.World)
	fmt.Println(sv.Failures)
	p, _ := WriteRepro("/tmp/exp", ReproFileName(w.Seed, true), NewRepro(sv))
	fmt.Println(ReplayCommand(p))
}
