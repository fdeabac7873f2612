package serve

import (
	"flag"
	"fmt"
	"os"
)

// Main parses the flags every server program takes, -addr (the listen
// address) and -cpuprofile (a file for a CPU profile, none when empty),
// and calls run with them. When run fails it prints the error after name
// and ends the process with status 1.
func Main(name string, run func(addr, cpuprofile string) error) {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if err := run(*addr, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}
