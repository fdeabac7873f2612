module github.com/goevent/goevent/bench

go 1.26.0

require (
	github.com/goevent/goevent v0.0.0
	golang.org/x/sys v0.50.0
)

replace github.com/goevent/goevent => ../
