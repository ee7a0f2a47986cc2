package simdriver

import (
	"path"
	"sort"
	"strings"

	"github.com/redosim/redosim/engine/core"
)

// Storage returns a synchronous view of the target for recovery and
// readers: the files of the directory on the disk's current state (what a
// process sees after restart), or the objects under the prefix.
func Storage(t Target) core.Storage {
	if t.Store != nil {
		return storeView{t}
	}
	return diskView{t}
}

type diskView struct{ t Target }

func (v diskView) List() ([]string, error) {
	names, err := v.t.Disk.FS().List(v.t.Dir)
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

func (v diskView) ReadFile(name string) ([]byte, error) {
	return v.t.Disk.FS().ReadFile(path.Join(v.t.Dir, name))
}

type storeView struct{ t Target }

func (v storeView) prefix() string {
	if v.t.Dir == "" {
		return ""
	}
	return v.t.Dir + "/"
}

func (v storeView) List() ([]string, error) {
	keys := v.t.Store.Keys(v.prefix())
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, strings.TrimPrefix(k, v.prefix()))
	}
	sort.Strings(out)
	return out, nil
}

func (v storeView) ReadFile(name string) ([]byte, error) {
	data, ok := v.t.Store.Object(v.prefix() + name)
	if !ok {
		return nil, &notFoundError{name}
	}
	return data, nil
}

type notFoundError struct{ name string }

func (e *notFoundError) Error() string { return "engine/simdriver: no object " + e.name }
