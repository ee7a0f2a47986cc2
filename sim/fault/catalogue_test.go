package fault

import (
	"slices"
	"strings"
	"testing"
)

func TestCatalogueWellFormed(t *testing.T) {
	for i, p := range Catalogue {
		if i > 0 && Catalogue[i-1].Name >= p.Name {
			t.Errorf("catalogue not sorted or has a duplicate at %s", p.Name)
		}
		if p.Layer == "" || p.What == "" {
			t.Errorf("catalogue entry %s lacks Layer or What", p.Name)
		}
		plan, err := Parse(p.Name + "@1s")
		if err != nil {
			t.Errorf("catalogue name %s is not a valid plan name: %v", p.Name, err)
			continue
		}
		isAction := plan.Entries()[0].IsAction()
		if isAction != (p.Layer == "scenario") {
			t.Errorf("catalogue entry %s: action=%v but layer %q", p.Name, isAction, p.Layer)
		}
		if !isAction && !strings.HasPrefix(p.Name, p.Layer+"/") {
			t.Errorf("catalogue entry %s: name does not start with its layer %q", p.Name, p.Layer)
		}
	}
}

func TestCatalogueHasRequiredPoints(t *testing.T) {
	for _, name := range []string{
		"sim/disk/fsyncEIO", "sim/disk/enospc", "sim/disk/readError", "sim/disk/stall",
		"sim/objstore/putFail", "sim/objstore/throttle", "sim/objstore/slow",
		"sim/net/drop", "sim/net/delay",
		"engine/writer/beforeFsync", "engine/writer/afterWriteBeforeSync",
		"engine/meta/afterWriteBeforeRename", "engine/meta/afterRenameBeforeDirSync", "engine/meta/afterPutBeforeDelete",
		"model/collector/forceRelease", "model/dispatcher/dropHeartbeat",
		"node.crash", "node.restart", "net.partition",
	} {
		if _, ok := Lookup(Catalogue, name); !ok {
			t.Errorf("catalogue lacks %s", name)
		}
	}
}

func TestValidateNamesUnknownPoint(t *testing.T) {
	p, err := Parse("sim/disk/fsyncEIO@1s;engine/writer/beforeFsnyc#2")
	if err != nil {
		t.Fatal(err)
	}
	err = p.Validate(nil)
	want := `sim/fault: plan entry 2 "engine/writer/beforeFsnyc#2": unknown fault point "engine/writer/beforeFsnyc" (not in the catalogue)`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if err := p.Validate([]Point{{Name: "sim/disk/fsyncEIO"}, {Name: "engine/writer/beforeFsnyc"}}); err != nil {
		t.Fatalf("custom catalogue: %v", err)
	}
}

func TestValidateTerm(t *testing.T) {
	for _, ok := range []string{TransportTerm, "return", "return()", "return(1)", "return(-7)", "return(false)", `return("EIO")`, `return("a->b")`} {
		if err := ValidateTerm(ok); err != nil {
			t.Errorf("ValidateTerm(%q) = %v, want nil", ok, err)
		}
	}
	for _, tc := range []struct{ term, why string }{
		{"", "empty"},
		{"50%return(1)", "global randomness"},
		{"3*return(1)", "global counts"},
		{".5%return", "global randomness"},
		{"50%", "global randomness"},
		{"sleep(10)", "wall clock"},
		{"pause", "wall clock"},
		{`print("x")`, "not a fault"},
		{"break", "not a fault"},
		{`panic("x")`, "not a fault"},
		{"off", "not a fault"},
		{"return(1)->return(2)", "not an int"},
		{"return->return(2)", "chained"},
		{"return(1.5)", "not an int"},
		{`return("a")->return("b")`, "not an int"},
		{"return(1", "nothing after it"},
	} {
		err := ValidateTerm(tc.term)
		if err == nil || !strings.HasPrefix(err.Error(), "sim/fault: ") || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("ValidateTerm(%q) = %v, want an error about %q", tc.term, err, tc.why)
		}
	}
	if !slices.IsSortedFunc(Catalogue, func(a, b Point) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("catalogue not sorted")
	}
}
