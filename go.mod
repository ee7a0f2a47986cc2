module github.com/redosim/redosim

go 1.26.0

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/leanovate/gopter v0.2.11
	github.com/montanaflynn/stats v0.14.0
	github.com/pierrec/lz4/v4 v4.1.33
	github.com/pingcap/failpoint v0.0.0-20240528011301-b51a646c7c86
	github.com/tinylib/msgp v1.6.5
	golang.org/x/image v0.30.0
	golang.org/x/term v0.47.0
	gonum.org/v1/plot v0.17.0
)

require (
	codeberg.org/go-fonts/liberation v0.5.0 // indirect
	codeberg.org/go-latex/latex v0.2.0 // indirect
	codeberg.org/go-pdf/fpdf v0.11.1 // indirect
	git.sr.ht/~sbinet/gg v0.7.0 // indirect
	github.com/ajstarks/svgo v0.0.0-20211024235047-1546f124cd8b // indirect
	github.com/golang/freetype v0.0.0-20170609003504-e2365dfdc4a0 // indirect
	github.com/philhofer/fwd v1.2.0 // indirect
	github.com/pingcap/errors v0.11.4 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.28.0 // indirect
)
