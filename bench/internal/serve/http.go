package serve

import (
	"errors"
	"net"
	"net/http"
	"os"
)

// HTTP serves h with net/http's http.Server on addr until SIGTERM or
// SIGINT closes the server, profiling the CPU into cpuprofile when it is
// not empty. It prints the Describe line once it listens.
func HTTP(addr, cpuprofile string, h http.Handler) error {
	stopProfile, err := StartProfile(cpuprofile)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h}
	if err := Describe(os.Stdout, ""); err != nil {
		return err
	}
	OnStop(func() { srv.Close() })
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return stopProfile()
}
