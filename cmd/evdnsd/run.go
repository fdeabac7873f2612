package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/goevent/goevent/cmd/evdnsd/internal/authority"
	"github.com/goevent/goevent/cmd/evdnsd/internal/rrl"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evdns"
	"github.com/goevent/goevent/internal/privdrop"
)

// Exit statuses.
const (
	exitOK      = 0
	exitRuntime = 1
	exitStartup = 2
)

// postTimeout bounds the wait for work handed to a loop.
const postTimeout = 10 * time.Second

// daemon is a running evdnsd: what startup built and shutdown tears down.
type daemon struct {
	cfg       *config
	log       *slog.Logger
	upstreams []string
	lookup    lookupFunc                     // resolves -upstream host names; nil: the system's
	local     atomic.Pointer[authority.Data] // swapped by SIGHUP
	cache     *evdns.Cache                   // nil with -cache-size 0
	limiter   *rrl.Limiter                   // nil without -rrl
	stats     stats
	loops     *core.Loops
	workers   []*worker
	bound     []netip.AddrPort
}

// run is evdnsd's main: it returns the exit status.
func run(args []string, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "evdnsd: %v\n", err)
		return exitStartup
	}
	stopProfile := func() error { return nil }
	if cfg.cpuProfile != "" {
		if stopProfile, err = startCPUProfile(cfg.cpuProfile); err != nil {
			fmt.Fprintf(stderr, "evdnsd: %v\n", err)
			return exitStartup
		}
	}
	d, err := start(cfg, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		_ = stopProfile() // the start-up error is the one to report
		fmt.Fprintf(stderr, "evdnsd: %v\n", oneLine(err))
		return exitStartup
	}
	code := d.serve()
	if err := stopProfile(); err != nil {
		d.log.Error("profile", "err", err)
		return exitRuntime
	}
	return code
}

// oneLine keeps an error message on one line.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

// start builds the daemon: local data, upstreams, cache, loops,
// resolvers, sockets; then drops privileges. On error everything built
// is closed.
func start(cfg *config, log *slog.Logger) (*daemon, error) {
	d := &daemon{cfg: cfg, log: log}
	if err := d.start(); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// start does start's work on d.
func (d *daemon) start() error {
	cfg, log := d.cfg, d.log
	var cred privdrop.Credentials
	if cfg.user != "" {
		c, err := privdrop.LookupUser(cfg.user)
		if err != nil {
			return err
		}
		cred = c
	}
	local, err := authority.Load(cfg.zones, cfg.hosts, uint32(cfg.hostsTTL/time.Second))
	if err != nil {
		return err
	}
	d.local.Store(local)
	if err := d.setUpstreams(); err != nil {
		return err
	}
	if cfg.cacheSize > 0 {
		d.cache = evdns.NewCache(&evdns.CacheConfig{Size: cfg.cacheSize})
	}
	if cfg.rrl > 0 {
		d.limiter = rrl.New(rrl.Config{Rate: cfg.rrl, Slip: cfg.rrlSlip})
	}
	if d.loops, err = core.NewLoops(cfg.loops); err != nil {
		return fmt.Errorf("event loops: %w", err)
	}
	for i := range d.loops.Len() {
		d.workers = append(d.workers, &worker{d: d, base: d.loops.Base(i)})
	}
	if err := d.onEachLoop(func(w *worker) error { return w.startResolver() }); err != nil {
		return err
	}
	if err := d.listen(); err != nil {
		return err
	}
	var addrs []string
	for _, b := range d.bound {
		addrs = append(addrs, b.String())
		log.Info("listening", "addr", b.String(), "loops", cfg.loops)
	}
	log.Info("serving", "upstreams", strings.Join(d.upstreams, ","), "zones", strings.Join(local.Zones(), ","),
		"hosts", local.HostNames(), "cache_size", cfg.cacheSize, "rrl", cfg.rrl)
	if cfg.readyFile != "" { // before dropping privileges: its directory may need them
		if err := writeReadyFile(cfg.readyFile, addrs); err != nil {
			return err
		}
	}
	if cfg.user != "" {
		if err := cred.Apply(); err != nil {
			if cfg.readyFile != "" {
				os.Remove(cfg.readyFile)
			}
			return err
		}
		log.Info("privileges dropped", "user", cfg.user)
	}
	return nil
}

// setUpstreams takes -upstream, its host names resolved, or the
// resolv.conf nameservers.
func (d *daemon) setUpstreams() error {
	if len(d.cfg.upstreams) > 0 {
		addrs, err := lookupUpstreams(d.lookup, d.cfg.upstreams)
		if err != nil {
			return err
		}
		d.upstreams = addrStrings(addrs)
		return nil
	}
	ns, err := systemUpstreams(d.cfg.resolvConf)
	if err != nil {
		return err
	}
	d.upstreams = addrStrings(ns)
	return nil
}

// reresolveUpstreams resolves the -upstream host names again and, when
// their addresses changed, gives every loop's resolver the new list; on
// failure the old upstreams stay. Main goroutine.
func (d *daemon) reresolveUpstreams() {
	if !hasHostNames(d.cfg.upstreams) {
		return
	}
	addrs, err := lookupUpstreams(d.lookup, d.cfg.upstreams)
	if err != nil {
		d.log.Error("resolving the upstreams failed, keeping the old ones", "err", oneLine(err))
		return
	}
	now := addrStrings(addrs)
	if slices.Equal(now, d.upstreams) {
		return
	}
	err = d.onEachLoop(func(w *worker) error { return w.setNameservers(now) })
	if err != nil {
		d.log.Error("changing the upstreams", "err", oneLine(err))
		return
	}
	d.upstreams = now
	d.log.Info("upstreams changed", "upstreams", strings.Join(now, ","))
}

// addrStrings formats addrs as host:port strings.
func addrStrings(addrs []netip.AddrPort) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}

// listen binds every -listen address (127.0.0.1:5353 by default) once per
// loop, and starts each loop's server ports on its sockets.
func (d *daemon) listen() error {
	addrs := d.cfg.listen
	if len(addrs) == 0 {
		addrs = []string{defaultListen}
	}
	for _, a := range addrs {
		ap, err := netip.ParseAddrPort(a)
		if err != nil {
			return fmt.Errorf("-listen %q: %w", a, err)
		}
		socks, bound, err := bindAll(ap, len(d.workers))
		if err != nil {
			return err
		}
		err = d.onEachLoop(func(w *worker) error { return w.serve(socks[w.index()]) })
		for _, s := range socks { // the ports hold duplicates
			s.close()
		}
		if err != nil {
			return fmt.Errorf("listen %s: %w", bound, err)
		}
		d.bound = append(d.bound, bound)
	}
	return nil
}

// onEachLoop runs fn for each worker on its loop goroutine and waits for
// them all, returning their errors joined.
func (d *daemon) onEachLoop(fn func(w *worker) error) error {
	errs := make(chan error, len(d.workers))
	for _, w := range d.workers {
		if err := w.base.Post(func() { errs <- fn(w) }); err != nil {
			errs <- err
		}
	}
	var all []error
	timeout := time.After(postTimeout)
	for range d.workers {
		select {
		case err := <-errs:
			all = append(all, err)
		case <-timeout:
			return errors.New("event loop not responding")
		}
	}
	return errors.Join(all...)
}

// writeReadyFile writes the bound addresses, one a line, atomically.
func writeReadyFile(path string, addrs []string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(addrs, "\n")+"\n"), 0o644); err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	return nil
}

// serve waits for signals: SIGHUP reloads, SIGUSR1 logs statistics,
// SIGTERM and SIGINT shut down.
func (d *daemon) serve() int {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	for sig := range sigs {
		switch sig {
		case syscall.SIGHUP:
			d.reload()
			continue
		case syscall.SIGUSR1:
			d.logStats()
			continue
		}
		d.log.Info("shutting down", "signal", sig.String())
		if err := d.close(); err != nil {
			d.log.Error("shutdown", "err", err)
			return exitRuntime
		}
		d.log.Info("stopped")
		return exitOK
	}
	return exitOK
}

// reload resolves the -upstream host names again and reads the zones and
// the hosts file again; on failure the old upstreams or data stay. The
// cache is kept.
func (d *daemon) reload() {
	d.reresolveUpstreams()
	local, err := authority.Load(d.cfg.zones, d.cfg.hosts, uint32(d.cfg.hostsTTL/time.Second))
	if err != nil {
		d.log.Error("reload failed, keeping the old data", "err", oneLine(err))
		return
	}
	d.local.Store(local)
	d.log.Info("reloaded", "zones", strings.Join(local.Zones(), ","), "hosts", local.HostNames())
}

// close stops the server ports and resolvers on their loops, then the
// loops.
func (d *daemon) close() error {
	if d.loops == nil {
		return nil
	}
	var errs []error
	if err := d.onEachLoop(func(w *worker) error { w.stop(); return nil }); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, d.loops.Close())
	d.loops = nil
	return errors.Join(errs...)
}
