module github.com/redosim/redosim/bench

go 1.26.0

require github.com/redosim/redosim v0.0.0

replace github.com/redosim/redosim => ../
